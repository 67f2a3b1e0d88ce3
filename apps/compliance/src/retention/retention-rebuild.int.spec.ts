import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, handleCommand } from '@trainyard/event-store';
import { ProjectionRunner } from '@trainyard/messaging';
import {
  PRIVACY_REGISTER_STREAM,
  evaluationDecider,
  policyDecider,
  privacyDecider,
  type LegalHoldScope,
  type PolicyBundleVersion,
} from '@trainyard/compliance-domain';
import {
  complianceProjection,
  type ProjectedComplianceEvent,
} from '@trainyard/compliance-read-models';
import { waitFor, type TestContext } from '@trainyard/testing';
import { evaluationStream } from '../application/compliance-streams';
import { RetentionSweep } from './retention-sweep';
import { NOW, daysAgo, retentionTestContext } from './retention-schema.fixture';

// A retention purge survives a projection rebuild (ADR 0007): the PolicyEvaluated events stay in
// the log, but the rebuild also folds the RecordsPurged that removed their rows, so purged
// evaluations stay gone, held and young ones stay, and nothing else of the read model changes.

const POLICY = { 'policy-evaluation': { deleteAfterDays: 2557 } };
const BUNDLE: PolicyBundleVersion = {
  policyId: 'cc',
  version: '1.0.0',
  rules: [
    {
      id: 'two-approvers',
      description: 'Two approvers.',
      expression: 'facts.approvals.size() >= 2',
      controls: ['SOC2:CC8.1'],
      effect: 'block',
      triggers: ['workload-registered'],
    },
  ],
};

let ctx: TestContext;
let store: ReturnType<typeof createEventStore>;
let dir: string;
let runner: ProjectionRunner<ProjectedComplianceEvent>;

const ctxAt = (now: string, actor = 'user:dpo') => ({
  actor,
  correlationId: randomUUID(),
  reason: 'retention',
  now,
});

const evaluate = (evaluationId: string, workloadId: string, at: string) =>
  handleCommand(
    store,
    evaluationStream({ type: 'workload', id: workloadId }),
    evaluationDecider,
    {
      type: 'EvaluatePolicy',
      data: {
        evaluationId,
        subject: { type: 'workload', id: workloadId },
        trigger: 'workload-registered',
        facts: { approvals: ['a', 'b'], workloadId },
      },
      metadata: { now: at, actor: 'compliance' },
    },
    ctxAt(at, 'compliance'),
    { context: { bundle: BUNDLE } },
  );

const privacy = (
  type: 'PlaceLegalHold' | 'ReleaseLegalHold',
  data: { holdId: string; scope?: LegalHoldScope },
) =>
  handleCommand(
    store,
    PRIVACY_REGISTER_STREAM,
    privacyDecider,
    { type, data, metadata: ctxAt(NOW, 'user:legal') } as Parameters<
      typeof privacyDecider.decide
    >[0],
    ctxAt(NOW, 'user:legal'),
    { context: { footprint: [] } },
  );

/** Every row of the projection's tables, by table, in key order. */
const readModel = async () => {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of [
    ['policies', 'policy_id'],
    ['policy_versions', 'policy_id, version'],
    ['policy_evaluations', 'evaluation_id'],
  ] as const)
    out[table] = (await ctx.pool.query(`SELECT * FROM ${table} ORDER BY ${key}`)).rows;
  return out;
};

const evaluationIds = async () =>
  (
    await ctx.pool.query<{ id: string }>(
      'SELECT evaluation_id AS id FROM policy_evaluations ORDER BY 1',
    )
  ).rows.map((r) => r.id);

/** Waits until the live runner has folded the evaluations appended so far. */
const folded = (count: number) =>
  waitFor(async () => (await evaluationIds()).length === count, {
    timeoutMs: 30_000,
    description: `${count} evaluations in the read model`,
  });

beforeAll(async () => {
  ctx = await retentionTestContext('retention_rebuild', { messaging: true });
  store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
  dir = await mkdtemp(join(tmpdir(), 'trainyard-retention-rebuild-'));
  runner = new ProjectionRunner({
    pool: ctx.pool,
    store,
    projection: complianceProjection,
    batchSize: 7,
    pollIntervalMs: 50,
  });
  await runner.start();
});

afterAll(async () => {
  await runner.stop();
  await store.close();
  await ctx.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('retention purge and projection rebuild', () => {
  it('keeps purged evaluations gone after a rebuild, held and young ones kept, nothing else lost', async () => {
    await handleCommand(
      store,
      'policy-cc',
      policyDecider,
      {
        type: 'ProposePolicyBundle',
        data: { policyId: 'cc', version: '1.0.0', title: 'Change control', rules: BUNDLE.rules },
        metadata: { now: daysAgo(3000), actor: 'alice' },
      },
      ctxAt(daysAgo(3000), 'alice'),
      { context: undefined },
    );
    for (let i = 0; i < 12; i++) await evaluate(`E-old-${i}`, `W-${i}`, daysAgo(2600 + i));
    await evaluate('E-old-held', 'W-HELD', daysAgo(2700));
    await evaluate('E-young', 'W-1', daysAgo(100));
    await privacy('PlaceLegalHold', { holdId: 'H-W', scope: { kind: 'workload', id: 'W-HELD' } });
    await folded(14);

    // Two passes (at most 5 rows each, then the rest): each records its own purge.
    const sweep = new RetentionSweep(ctx.pool, ctx.schema, {
      policy: POLICY,
      archiveDir: dir,
      maxPerType: 5,
    });
    const passes = [await sweep.run(ctxAt(NOW)), await sweep.run(ctxAt(NOW))];
    expect(passes.map((p) => p.outcomes[0]?.count)).toEqual([5, 5]);
    await sweep.run(ctxAt(NOW));
    expect(await evaluationIds()).toEqual(['E-old-held', 'E-young']);
    // An evaluation recorded after the purges is folded as usual.
    await evaluate('E-later', 'W-2', NOW);
    await folded(3);
    const before = await readModel();
    expect(before['policy_evaluations']).toHaveLength(3);
    expect(before['policies']).toHaveLength(1);

    await runner.rebuild();

    expect(await readModel()).toEqual(before);
    expect(await evaluationIds()).toEqual(['E-later', 'E-old-held', 'E-young']);
  });
});
