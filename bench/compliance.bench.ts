import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  compiledBundleOf,
  evaluationDecider,
  toCelInput,
  type Facts,
  type PolicyBundleVersion,
  type PolicyRule,
} from '@trainyard/compliance-domain';
import type { NewEvent } from '@trainyard/event-store';
import {
  compareRounds,
  row,
  type BenchArea,
  type BenchContext,
  type BenchSizes,
} from './bench-harness';
import { complianceSettings } from '../apps/compliance/src/config/compliance-settings';
import { withBenchStore } from './bench-store';

/** A change-control bundle as a compliance officer writes one: ten rules over a registered workload. */
const rule = (id: string, expression: string, effect: 'block' | 'warn' = 'block'): PolicyRule => ({
  id,
  description: id,
  expression,
  controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
  effect,
  triggers: ['workload-registered'],
});
const BUNDLE: PolicyBundleVersion = {
  policyId: 'change-control',
  version: '1.0.0',
  rules: [
    rule('regulated-needs-cab', "size(facts.regulatedData) == 0 || facts.approvalPath == 'cab'"),
    rule('two-approvals', "facts.approvals.size() >= 2 || facts.riskTier == 'low'"),
    rule('no-self-approval', '!(facts.registeredBy in facts.approvals)'),
    rule('high-risk-no-schema', "!(facts.riskTier == 'high' && facts.schemaChange)", 'warn'),
    rule('small-jobs', 'facts.jobSize <= 13', 'warn'),
    rule('known-team', "facts.team in ['payments', 'ledger', 'search', 'identity']"),
    rule(
      'services-named',
      "facts.components.all(c, c.name != '' && c.kind in ['service', 'database', 'infrastructure'])",
    ),
    rule('pii-flagged', "!('pii' in facts.regulatedData) || facts.featureFlag != ''", 'warn'),
    rule('train-routed', "facts.route.trackKind == 'train' || facts.riskTier != 'high'"),
    rule('reasons-given', "facts.riskTier == 'low' || facts.riskReasons.size() > 0"),
  ],
};

const factsFor = (i: number): Facts => ({
  workloadId: `W-${i}`,
  team: ['payments', 'ledger', 'search', 'growth'][i % 4] ?? 'payments',
  regulatedData: i % 3 === 0 ? [] : ['pii', 'financial'].slice(0, (i % 2) + 1),
  approvalPath: i % 5 === 0 ? 'cab' : 'standard',
  approvals: ['bob', 'carol', 'dave'].slice(0, i % 4),
  registeredBy: 'alice',
  riskTier: ['low', 'medium', 'high'][i % 3] ?? 'low',
  schemaChange: i % 2 === 0,
  jobSize: [1, 2, 3, 5, 8, 13, 20][i % 7] ?? 1,
  components: [
    { name: 'api', kind: 'service' },
    { name: 'db', kind: 'database' },
  ],
  featureFlag: i % 4 === 0 ? '' : 'flag-x',
  route: { trackId: 'main', trackKind: i % 6 === 0 ? 'independent' : 'train' },
  riskReasons: i % 3 === 0 ? [] : ['regulated data'],
});
const FACTS = Array.from({ length: 64 }, (_, i) => factsFor(i));
const CEL_FACTS = FACTS.map((f) => ({ facts: toCelInput(f) }));
const BATCH = 100;

/**
 * Evaluations/s for `op`, which runs `n` evaluations, from `lanes` loops at once; warm-up then a
 * window that counts what every lane completes inside it.
 */
const measure = async (
  sizes: Pick<BenchSizes, 'warmupMs' | 'windowMs'>,
  op: () => Promise<number>,
  lanes = 1,
) => {
  const loop = async (until: number) => {
    let evaluations = 0;
    while (performance.now() < until) evaluations += await op();
    return evaluations;
  };
  const inParallel = async (until: number) =>
    (await Promise.all(Array.from({ length: lanes }, () => loop(until)))).reduce((a, b) => a + b);
  await inParallel(performance.now() + sizes.warmupMs);
  const start = performance.now();
  const evaluations = await inParallel(start + sizes.windowMs);
  return evaluations / ((performance.now() - start) / 1000);
};

/**
 * Batches the service evaluates at once: the planning-events consumer takes this many partitions
 * concurrently by default, each batch evaluated and appended in its own transaction.
 */
const LANES = complianceSettings.shape.COMPLIANCE_PLANNING_PARTITIONS_CONCURRENTLY.parse(undefined);

/** The baseline: @bufbuild/cel running the same planned expressions on the same (converted) facts. */
const compiled = compiledBundleOf(BUNDLE);
const raw = (): Promise<number> => {
  for (let i = 0; i < BATCH; i++) {
    const bindings = CEL_FACTS[i % CEL_FACTS.length];
    for (const r of compiled.rules) r.plan(bindings ?? {});
  }
  return Promise.resolve(BATCH);
};

/** The service's path: the decider evaluates with explanations and builds PolicyEvaluated. */
const decide = (i: number) =>
  evaluationDecider.decide(
    {
      type: 'EvaluatePolicy',
      data: {
        evaluationId: `E-${i}`,
        subject: { type: 'workload', id: `W-${i}` },
        trigger: 'workload-registered',
        facts: FACTS[i % FACTS.length] ?? {},
      },
      metadata: { now: '2031-05-04T09:00:00.000Z', actor: 'compliance' },
    },
    { evaluationIds: [] },
    { bundle: BUNDLE },
  );

const explained = (): Promise<number> => {
  for (let i = 0; i < BATCH; i++) decide(i);
  return Promise.resolve(BATCH);
};

async function evaluateRows(ctx: BenchContext) {
  return withBenchStore(ctx, 'compliance', LANES, async ({ store }) => {
    let n = 0;
    let appendMs = 0;
    let appends = 0;
    // Evaluated and appended as the planning-events consumer does on a backlog: a batch of
    // evaluations, their events appended in one call (one evaluation stream per batch), LANES
    // batches in flight, as many as the consumer's partitions consumed concurrently.
    const batchOf = (first: number): NewEvent[] => {
      const events: NewEvent[] = [];
      for (let i = 0; i < BATCH; i++) {
        for (const event of decide(first + i))
          events.push({
            ...event,
            metadata: { eventId: randomUUID(), correlationId: 'bench', actor: 'compliance' },
          });
      }
      return events;
    };
    // The size is reported from one batch serialised outside the windows: serialising every
    // measured batch a second time for a log line is work the service does not do.
    const appendBytes = JSON.stringify(batchOf(0)).length;
    const appended = async (): Promise<number> => {
      const events = batchOf(n);
      n += BATCH;
      const t0 = performance.now();
      await store.append(`evaluation-bench-${n}`, events, 'no_stream');
      appendMs += performance.now() - t0;
      appends++;
      return BATCH;
    };
    ctx.log(
      `  compliance.evaluate: ${BUNDLE.rules.length} rules per evaluation, events appended ${BATCH} per append, ${LANES} appends in flight`,
    );
    const full = await compareRounds(
      ctx,
      'compliance.evaluate',
      () => measure(ctx.sizes, raw),
      () => measure(ctx.sizes, appended, LANES),
    );
    ctx.log(
      `  compliance.evaluate: ${appends} appends of ${BATCH} events, ${(appendMs / Math.max(appends, 1)).toFixed(1)} ms and ${Math.round(appendBytes / 1024)} KiB each`,
    );
    const explainOnly = await compareRounds(
      ctx,
      'compliance.evaluate.explain',
      () => measure(ctx.sizes, raw),
      () => measure(ctx.sizes, explained),
    );
    return [
      row('compliance.evaluate', 'evaluations/s', full.value, full.baseline),
      row('compliance.evaluate.explain', 'evaluations/s', explainOnly.value, explainOnly.baseline),
    ];
  });
}

export const complianceBenches: BenchArea = {
  area: 'compliance',
  rows: ['compliance.evaluate', 'compliance.evaluate.explain'],
  async run(ctx, only, emit) {
    if (only('compliance.evaluate')) for (const r of await evaluateRows(ctx)) emit(r);
  },
};
