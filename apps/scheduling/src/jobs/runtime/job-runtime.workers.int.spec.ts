import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import type { TaskExecution, TaskExecutionResult, TaskExecutorPort } from '../runtime-ports';
import type { JobRuntime } from './job-runtime';
import { startJobRuntime } from './start-job-runtime';
import { FunctionExecutor } from './test-support/function-executor';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// Two regressions of the job runtime against the real PostgreSQL (issue 12): the worker limit
// held although the dispatcher and the result flush both start tasks, and a run's task rows read
// after waiting for the run's lock, not before.
let ctx: TestContext;
const runtimes: JobRuntime[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  ctx = await createTestContext('job_runtime_workers');
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop(2_000)));
});
afterAll(async () => {
  await ctx?.dispose();
});

/** Counts the executions in flight (the inner executor's promise pending) and their maximum. */
class CountingExecutor implements TaskExecutorPort {
  readonly inner = new FunctionExecutor();
  inFlight = 0;
  maxInFlight = 0;
  async execute(
    executor: Parameters<TaskExecutorPort['execute']>[0],
    execution: TaskExecution,
  ): Promise<TaskExecutionResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.inner.execute(executor, execution);
    } finally {
      this.inFlight--;
    }
  }
}

let seq = 0;
const jobName = (what: string) => `ops.runtime-workers.${what}-${++seq}`;
const start = async (catalog: ManifestCatalog, executor: TaskExecutorPort, concurrency = 24) => {
  const runtime = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog,
    executor,
    concurrency,
    idleMs: 200,
    catalogRefreshMs: 0,
    onError: (e) => errors.push(e),
  });
  runtimes.push(runtime);
  return runtime;
};
const runStates = async (runIds: readonly string[]) =>
  (
    await ctx.pool.query<{ state: string; outcome: string | null }>(
      `SELECT state, outcome FROM ${ctx.schema}.job_runs WHERE run_id = ANY($1::text[])`,
      [runIds],
    )
  ).rows;
const taskOutcomes = async (runId: string) =>
  Object.fromEntries(
    (
      await ctx.pool.query<{ task_id: string; outcome: string | null; attempt: number }>(
        `SELECT task_id, outcome, attempt FROM ${ctx.schema}.job_task_runs WHERE run_id = $1`,
        [runId],
      )
    ).rows.map((r) => [r.task_id, `${r.outcome}#${r.attempt}`]),
  );

it('never runs more tasks at once than its worker limit, though the dispatcher and the flush both start tasks', async () => {
  // Why: each computed its own free workers from the tasks running, so a result recorded while
  // the dispatcher claimed started dependents beyond the limit.
  const name = jobName('limit');
  const fanOut = ['b', 'c', 'd', 'e'].map((id) =>
    testTask(id, 'sleep', ['15'], { dependsOn: ['a'] }),
  );
  const catalog = new ManifestCatalog([
    {
      input: {
        ...testManifestInput(name, [testTask('a', 'sleep', ['15']), ...fanOut]),
        concurrency: { maxActiveRuns: 100, overlap: 'allow' },
      },
    },
  ]);
  const executor = new CountingExecutor();
  const runtime = await start(catalog, executor, 3);
  const runs = await runtime.triggerRuns(
    Array.from({ length: 16 }, () => ({ job: name, requestedBy: 'alice' })),
  );
  const ids = runs.map((r) => r.runId);
  await waitFor(async () => (await runStates(ids)).every((r) => r.state === 'finished'), {
    timeoutMs: 120_000,
    description: 'all 16 runs finished',
  });
  expect((await runStates(ids)).map((r) => r.outcome)).toEqual(ids.map(() => 'succeeded'));
  expect(executor.inner.executions).toHaveLength(16 * 5);
  expect(executor.maxInFlight).toBeGreaterThan(1);
  expect(executor.maxInFlight).toBeLessThanOrEqual(3);
  expect(errors).toEqual([]);
});

it('reads a run’s tasks after waiting for its lock, so a change committed meanwhile is seen', async () => {
  // Why: the run rows were locked in the statement that read the task rows; after a lock wait
  // PostgreSQL re-reads only the locked rows, so the tasks were as they were before the wait.
  const name = jobName('stale');
  const catalog = new ManifestCatalog([
    {
      input: testManifestInput(name, [
        testTask('a', 'wait-abort', [], { timeoutSeconds: 600 }),
        testTask('b', 'noop', [], { dependsOn: ['a'] }),
      ]),
    },
  ]);
  const executor = new FunctionExecutor();
  const runtime = await start(catalog, executor);
  const { runId } = await runtime.triggerRun({ job: name, requestedBy: 'alice' });
  await waitFor(() => executor.executions.some((e) => e.taskKey === `${runId}/a`), {
    description: 'task a running',
  });

  // Another writer holds the run's lock and records task a as succeeded.
  const holder = await ctx.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM ${ctx.schema}.job_runs WHERE run_id = $1 FOR UPDATE`, [
      runId,
    ]);
    await holder.query(
      `UPDATE ${ctx.schema}.job_task_runs
          SET status = 'done', outcome = 'succeeded', lease_owner = NULL, lease_expires_at = NULL
        WHERE run_id = $1 AND task_id = 'a'`,
      [runId],
    );
    const cancelled = runtime.cancelRun(runId, 'frank');
    await waitFor(
      async () => {
        const { rows } = await ctx.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE '%' || $1 || '%job_runs%' AND pid <> pg_backend_pid()`,
          [ctx.schema],
        );
        return rows[0]!.n > 0;
      },
      { description: 'the cancel waiting for the run lock' },
    );
    await holder.query('COMMIT');
    expect(await cancelled).toBe(true);
  } finally {
    holder.release();
  }
  // a stays as the other writer recorded it; only b, still pending, is cancelled.
  expect(await taskOutcomes(runId)).toEqual({ a: 'succeeded#1', b: 'cancelled#1' });
  expect(await runStates([runId])).toEqual([{ state: 'finished', outcome: 'cancelled' }]);
});
