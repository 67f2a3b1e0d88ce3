import { performance } from 'node:perf_hooks';
import { CronExpressionParser } from 'cron-parser';
import { placeDeployments, previewSchedule } from '@trainyard/scheduling-domain';
import {
  compareRounds,
  percentile,
  row,
  type BenchArea,
  type BenchContext,
  type BenchSizes,
} from './bench-harness';
import { placementScenario } from './placement-scenario';

/**
 * The expressions both sides iterate: DST zones of each kind, over ranges crossing their
 * transitions, as local dates. Several thousand instants each.
 */
const CASES = [
  { cron: '*/5 * * * *', zone: 'America/New_York', from: '2024-03-01', to: '2024-03-20' },
  { cron: '30 2 * * *', zone: 'Europe/Berlin', from: '2000-01-01', to: '2019-12-31' },
  { cron: '0 9-17 * * 1-5', zone: 'Australia/Lord_Howe', from: '2023-01-01', to: '2025-12-31' },
  { cron: '15 */2 1,15 * *', zone: 'Africa/Cairo', from: '2014-01-01', to: '2024-12-31' },
  { cron: '0,30 * * * *', zone: 'Pacific/Apia', from: '2011-10-01', to: '2012-01-31' },
] as const;

/** Runs `op` (synchronous, returns instants made) for warm-up then a window; instants per second. */
const measureSync = (sizes: Pick<BenchSizes, 'warmupMs' | 'windowMs'>, op: () => number) => {
  const warmEnd = performance.now() + sizes.warmupMs;
  while (performance.now() < warmEnd) op();
  let instants = 0;
  const start = performance.now();
  const end = start + sizes.windowMs;
  while (performance.now() < end) instants += op();
  return instants / ((performance.now() - start) / 1000);
};

/** The service's path: the domain resolver, instants formatted as the API answers them. */
const throughResolver = (): number =>
  CASES.reduce((n, c) => n + previewSchedule(c).instants.length, 0);

/**
 * The baseline: cron-parser iterating the same expressions raw with its own tz option, over the
 * same local days, each instant formatted as an ISO string too.
 */
const throughCronParser = (): number => {
  let n = 0;
  for (const c of CASES) {
    const expression = CronExpressionParser.parse(c.cron, {
      tz: c.zone,
      currentDate: `${c.from}T00:00:00`,
      endDate: `${c.to}T23:59:59`,
    });
    // currentDate is exclusive: the first instant of the first day is missed; a few per run.
    while (expression.hasNext()) {
      expression.next().toISOString();
      n++;
    }
  }
  return n;
};

async function previewRow(ctx: BenchContext) {
  const instantsPerRun = { resolver: throughResolver(), cronParser: throughCronParser() };
  ctx.log(
    `  scheduling.preview: ${CASES.length} expressions, ${instantsPerRun.resolver} instants per run (cron-parser: ${instantsPerRun.cronParser})`,
  );
  const { baseline, value } = await compareRounds(
    ctx,
    'scheduling.preview',
    () => Promise.resolve(measureSync(ctx.sizes, throughCronParser)),
    () => Promise.resolve(measureSync(ctx.sizes, throughResolver)),
  );
  return row('scheduling.preview', 'instants/s', value, baseline);
}

const PLACE_SMALL = 1_000;
const PLACE_LARGE = 10_000;

/** Places every deployment of a scenario; ms taken, and a check that every one has an outcome. */
const placeOnce = (scenario: ReturnType<typeof placementScenario>): number => {
  const start = performance.now();
  const outcomes = placeDeployments(scenario.deployments, scenario.context);
  const ms = performance.now() - start;
  if (outcomes.length !== scenario.deployments.length)
    throw new Error('placement lost deployments');
  return ms;
};

/**
 * scheduling.place.scaling: 10,000 deployments against 1,000 windows and 500 freezes, against ten
 * placements of 1,000 against the same calendar (bench/placement-scenario.ts). Pure and
 * synchronous, so both sides run here; after a shared warm-up, each round runs ten small
 * placements then one large one, so load passing during a round hits both sides alike, and each
 * side reports its median round. Linear = 1.0; fixed costs (indexes, working hours) favour the
 * large side.
 */
async function placeScalingRow(ctx: BenchContext) {
  const small = placementScenario(PLACE_SMALL);
  const large = placementScenario(PLACE_LARGE);
  const sample = placeDeployments(large.deployments, large.context);
  const placed = sample.filter((o) => o.status === 'placed').length;
  const rejections = sample.reduce((n, o) => n + o.rejected.length, 0);
  ctx.log(
    `  scheduling.place.scaling: ${PLACE_LARGE} deployments: ${placed} placed, ${rejections} rejected candidates reported`,
  );
  const warmEnd = performance.now() + ctx.sizes.warmupMs;
  while (performance.now() < warmEnd) {
    placeOnce(small);
    placeOnce(large);
  }
  const rounds = ctx.sizes.quick ? 5 : 11;
  const tenSmallMs: number[] = [];
  const largeMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let ten = 0;
    for (let i = 0; i < 10; i++) ten += placeOnce(small);
    tenSmallMs.push(ten);
    largeMs.push(placeOnce(large));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  ctx.log(
    `  scheduling.place.scaling: rounds: 10 × ${PLACE_SMALL} ${list(tenSmallMs)} ms; ${PLACE_LARGE} ${list(largeMs)} ms`,
  );
  return row('scheduling.place.scaling', 'ms', percentile(largeMs, 50), percentile(tenSmallMs, 50));
}

export const schedulingBenches: BenchArea = {
  area: 'scheduling',
  rows: ['scheduling.preview', 'scheduling.place.scaling'],
  async run(ctx, only, emit) {
    if (only('scheduling.preview')) emit(await previewRow(ctx));
    if (only('scheduling.place.scaling')) emit(await placeScalingRow(ctx));
  },
};
