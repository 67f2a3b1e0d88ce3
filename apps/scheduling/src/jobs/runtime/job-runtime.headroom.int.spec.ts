import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { createFairSharePolicy } from '@trainyard/scheduling-domain';
import type { JobRuntime } from './job-runtime';
import { jobRunStream } from './run-events';
import { startJobRuntime } from './start-job-runtime';
import { FunctionExecutor } from './test-support/function-executor';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// The fair-share policy's headroom against the real PostgreSQL (issue 12, "one team's flood does
// not starve another's work even when spread over many keys"): with every other worker held by a
// flood of long tasks, a light team's run starts at once instead of after a flood task ends.
let ctx: TestContext;
let runtime: JobRuntime | undefined;
let feeder: JobRuntime | undefined;

const floodJobs = Array.from({ length: 10 }, (_, i) => `flood.keys.k${i}`);
const catalog = new ManifestCatalog([
  // Long enough that no flood task ends during the test, however loaded the machine.
  ...floodJobs.map((name) => ({
    input: testManifestInput(name, [testTask('work', 'sleep', ['120000'])]),
  })),
  { input: testManifestInput('light.steady.job', [testTask('work', 'noop')]) },
]);

const count = async (where: string, values: unknown[] = []): Promise<number> =>
  Number(
    (
      await ctx.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${ctx.schema}.job_task_runs WHERE ${where}`,
        values,
      )
    ).rows[0]?.n,
  );

beforeAll(async () => {
  ctx = await createTestContext('job_runtime_headroom');
  runtime = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog,
    executor: new FunctionExecutor(),
    concurrency: 4,
    scheduler: false,
    policy: createFairSharePolicy(), // headroom 1
  });
  await runtime.triggerRuns(
    Array.from({ length: 40 }, (_, i) => ({
      job: floodJobs[i % floodJobs.length]!,
      requestedBy: 'flood',
    })),
  );
  // The flood holds every worker but the headroom.
  await waitFor(
    async () => ((await count(`team = 'flood' AND status = 'running'`)) === 3 ? true : undefined),
    {
      timeoutMs: 30_000,
      description: 'three flood tasks running',
    },
  );
}, 60_000);

afterAll(async () => {
  await feeder?.stop(0);
  await runtime?.stop(0);
  await ctx?.dispose();
});

const lightDone = (runId: string) =>
  waitFor(
    async () =>
      (await count(`run_id = $1 AND status = 'done'`, [runId])) === 1 ? true : undefined,
    // Without the headroom it would wait for a flood task: 120 s.
    { timeoutMs: 30_000, description: "the light team's task done" },
  );

/** The transactions that appended these events of a run (the event store records each one's id). */
const transactionsOf = async (runId: string, types: readonly string[]): Promise<string[]> =>
  (
    await ctx.pool.query<{ tx: string }>(
      `SELECT DISTINCT transaction_id::text AS tx FROM ${ctx.schema}.events
        WHERE stream_id = $1 AND event_type = ANY($2::text[])`,
      [jobRunStream(runId), types],
    )
  ).rows.map((r) => r.tx);

it("a light team's run triggered here starts at once while a flood holds every other worker", async () => {
  const light = await runtime!.triggerRun({ job: 'light.steady.job', requestedBy: 'light' });
  await lightDone(light.runId);
  // Started by the trigger's own transaction, not by a dispatcher round after it.
  expect(
    await transactionsOf(light.runId, ['JobRunScheduled', 'JobRunStarted', 'TaskRunStarted']),
  ).toHaveLength(1);
  expect(await count(`team = 'flood' AND status = 'done'`)).toBe(0);
  // The flood never took the headroom, before or after the light run.
  expect(await count(`team = 'flood' AND started_at IS NOT NULL`)).toBe(3);
}, 60_000);

it("a light team's run triggered by another instance takes the headroom in the dispatcher's round", async () => {
  feeder = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog,
    executor: new FunctionExecutor(),
    concurrency: 0,
    scheduler: false,
    migrate: false,
  });
  const light = await feeder.triggerRun({ job: 'light.steady.job', requestedBy: 'light' });
  await lightDone(light.runId);
  expect(await count(`team = 'flood' AND status = 'done'`)).toBe(0);
  expect(await count(`team = 'flood' AND started_at IS NOT NULL`)).toBe(3);
}, 60_000);
