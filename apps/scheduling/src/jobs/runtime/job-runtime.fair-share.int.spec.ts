import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { createFairSharePolicy } from '@trainyard/scheduling-domain';
import type { JobRuntime } from './job-runtime';
import { startJobRuntime } from './start-job-runtime';
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
