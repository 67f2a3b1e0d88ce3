import { performance } from 'node:perf_hooks';
import { CronExpressionParser } from 'cron-parser';
import { previewSchedule } from '@trainyard/scheduling-domain';
import {
  compareRounds,
  row,
  type BenchArea,
  type BenchContext,
  type BenchSizes,
} from './bench-harness';

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

export const schedulingBenches: BenchArea = {
  area: 'scheduling',
  rows: ['scheduling.preview'],
  async run(ctx, only, emit) {
    if (only('scheduling.preview')) emit(await previewRow(ctx));
  },
};
