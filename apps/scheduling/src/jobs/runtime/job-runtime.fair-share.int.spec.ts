import { EVENT_STORE_MIGRATIONS, migrateSchema } from '@trainyard/event-store';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { createFairSharePolicy } from '@trainyard/scheduling-domain';
import type { JobRuntime } from './job-runtime';
import { JOB_RUNTIME_MIGRATIONS } from './job-runtime.migrations';
import { startJobRuntime } from './start-job-runtime';
import { teamHeadsSql } from './task-claims';
import { FunctionExecutor } from './test-support/function-executor';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// The runtime dispatching with the weighted fair-share policy against the real PostgreSQL: a
// flood queued by one team ahead of another team's runs does not hold those runs back.
let ctx: TestContext;
let runtime: JobRuntime | undefined;

beforeAll(async () => {
  ctx = await createTestContext('job_runtime_fair');
});
afterAll(async () => {
  await runtime?.stop(2_000);
  await ctx?.dispose();
});

it("a team's runs start within a few rounds although another team queued 400 ahead of them", async () => {
  const floodJobs = Array.from({ length: 20 }, (_, i) => `flood.keys.k${i}`);
  const catalog = new ManifestCatalog([
    ...floodJobs.map((name) => ({
      input: testManifestInput(name, [testTask('work', 'sleep', ['20'])]),
    })),
    { input: testManifestInput('light.steady.job', [testTask('work', 'noop')]) },
  ]);
  const feeder = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog,
    executor: new FunctionExecutor(),
    concurrency: 0,
    scheduler: false,
  });
  await feeder.triggerRuns(
    Array.from({ length: 400 }, (_, i) => ({
      job: floodJobs[i % floodJobs.length]!,
      requestedBy: 'flood',
    })),
  );
  // Queued after the whole flood: oldest-first dispatch would run all 400 before them.
  const light = await feeder.triggerRuns(
    Array.from({ length: 4 }, () => ({ job: 'light.steady.job', requestedBy: 'light' })),
  );
  const ready = async () =>
    Number(
      (
        await ctx.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${ctx.schema}.job_task_runs WHERE status = 'ready'`,
        )
      ).rows[0]?.n,
    );
  await waitFor(async () => ((await ready()) === 404 ? true : undefined), {
    timeoutMs: 60_000,
    description: 'all 404 runs admitted',
  });
  await feeder.stop(0);

  runtime = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog,
    executor: new FunctionExecutor(),
    concurrency: 4,
    scheduler: false,
    migrate: false,
    idleMs: 200,
    policy: createFairSharePolicy(),
  });
  const started = async (runIds: string[]) =>
    (
      await ctx.pool.query<{ run_id: string; started: Date }>(
        `SELECT run_id, started_at AS started FROM ${ctx.schema}.job_task_runs
          WHERE run_id = ANY($1::text[]) AND started_at IS NOT NULL`,
        [runIds],
      )
    ).rows;
  const lightIds = light.map((r) => r.runId);
  await waitFor(async () => ((await started(lightIds)).length === 4 ? true : undefined), {
    timeoutMs: 120_000,
    description: "the light team's 4 runs started",
  });
  const floodStartedBefore = Number(
    (
      await ctx.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${ctx.schema}.job_task_runs
          WHERE team = 'flood' AND started_at IS NOT NULL
            AND started_at <= (SELECT max(started_at) FROM ${ctx.schema}.job_task_runs WHERE team = 'light')`,
      )
    ).rows[0]?.n,
  );
  // Each light run waits for at most a round or two of the 4 workers, not for the 400 ahead.
  expect(floodStartedBefore).toBeLessThan(40);
}, 240_000);

it("reads a light team's queue head through the team index when the statistics saw only the flood", async () => {
  const schema = `${ctx.schema}_plan`;
  await migrateSchema(ctx.pool, schema, [EVENT_STORE_MIGRATIONS, JOB_RUNTIME_MIGRATIONS]);
  const flood = 20_000;
  await ctx.pool.query(
    `INSERT INTO "${schema}".job_runs (run_id, job, job_version, team, nominal_time, idempotency_key,
            trigger, environment, state, priority, not_before, event_version)
     SELECT 'r' || g, 'flood.keys.k' || (g % 1000), 1, 'flood', now(), 'k' || g, 'manual', 'prod',
            'running', 0, now(), 1 FROM generate_series(1, ${flood}) g;
     INSERT INTO "${schema}".job_task_runs (run_id, task_id, job, team, priority, status, attempt,
            not_before, ready_since)
     SELECT run_id, 'work', job, team, 0, 'ready', 1, now(),
            now() + substr(run_id, 2)::int * interval '1 microsecond' FROM "${schema}".job_runs;
     ANALYZE "${schema}".job_runs; ANALYZE "${schema}".job_task_runs;`,
  );
  // The flood being worked off (half of it done), and a light team's run queued after the
  // statistics were taken, as it arrives during a flood.
  await ctx.pool.query(
    `UPDATE "${schema}".job_task_runs SET status = 'done'
      WHERE substr(run_id, 2)::int <= ${flood / 2}`,
  );
  await ctx.pool.query(
    `INSERT INTO "${schema}".job_runs (run_id, job, job_version, team, nominal_time, idempotency_key,
            trigger, environment, state, priority, not_before, event_version)
     VALUES ('light', 'light.steady.job', 1, 'light', now(), 'light', 'manual', 'prod', 'running', 0, now(), 1);
     INSERT INTO "${schema}".job_task_runs (run_id, task_id, job, team, priority, status, attempt,
            not_before, ready_since)
     VALUES ('light', 'work', 'light.steady.job', 'light', 0, 'ready', 1, now(), now());`,
  );
  const tasks = `"${schema}".job_task_runs`;
  const { rows } = await ctx.pool.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${teamHeadsSql(tasks, `"${schema}".job_runs`).replace('$1', 'now()').replace('$2', '96')}`,
  );
  type PlanNode = { 'Index Name'?: string; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
  const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
  const plan = nodes((rows[0]!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
  // Both teams' heads read in order from the team index, none filtered out of the flood.
  expect(new Set(plan.flatMap((n) => n['Index Name'] ?? []))).toEqual(
    new Set(['job_task_runs_ready_team_idx', 'job_runs_pkey']),
  );
  expect(Math.max(...plan.map((n) => n['Rows Removed by Filter'] ?? 0))).toBeLessThan(100);
});
