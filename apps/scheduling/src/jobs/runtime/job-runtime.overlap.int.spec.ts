import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import type { JobRuntime } from './job-runtime';
import { startJobRuntime } from './start-job-runtime';
import { FunctionExecutor } from './test-support/function-executor';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// The capacity overlap decider (decideDueRun, buffersToStart) in the runtime's tick, against the
// real PostgreSQL: a slot due while the job's run is active is buffered (buffer-all) and starts
// when that run ends, never beside it; under cancel-older the active run gives way to the new one.
let ctx: TestContext;
const runtimes: JobRuntime[] = [];
let seq = 0;
const jobName = (what: string) => `ops.overlap-test.${what}-${++seq}`;

beforeAll(async () => {
  ctx = await createTestContext('job_runtime_overlap');
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop(2_000)));
});
afterAll(async () => {
  await ctx?.dispose();
});

const start = async (catalog: ManifestCatalog, executor: FunctionExecutor) => {
  const runtime = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog,
    executor,
    idleMs: 200,
    catalogRefreshMs: 0,
  });
  runtimes.push(runtime);
  return runtime;
};

interface RunRow {
  run_id: string;
  state: string;
  outcome: string | null;
  nominal_time: Date;
  started_at: Date | null;
  finished_at: Date | null;
  cancelled_by: string | null;
}
const runsOf = async (job: string) =>
  (
    await ctx.pool.query<RunRow>(
      `SELECT run_id, state, outcome, nominal_time, started_at, finished_at, cancelled_by
         FROM ${ctx.schema}.job_runs WHERE job = $1 ORDER BY nominal_time`,
      [job],
    )
  ).rows;
const eventTypes = async (runId: string) =>
  (
    await ctx.pool.query<{ event_type: string; data: Record<string, unknown> }>(
      `SELECT event_type, data FROM ${ctx.schema}.events WHERE stream_id = $1 ORDER BY stream_version`,
      [`job-run-${runId}`],
    )
  ).rows;

describe('overlap policies in the runtime', () => {
  it('buffer-all: a slot due while a run is active waits and starts after it, never beside it', async () => {
    const name = jobName('buffer');
    const catalog = new ManifestCatalog([
      {
        input: {
          ...testManifestInput(name, [testTask('work', 'sleep', ['1500'])], { everySeconds: 1 }),
          concurrency: { maxActiveRuns: 1, overlap: 'buffer-all' },
        },
      },
    ]);
    const executor = new FunctionExecutor();
    await start(catalog, executor);
    const finished = await waitFor(
      async () => {
        const done = (await runsOf(name)).filter((r) => r.state === 'finished');
        return done.length >= 3 && done;
      },
      { description: 'three runs finished', timeoutMs: 90_000, intervalMs: 100 },
    );
    for (const r of finished) expect(r.outcome).toBe('succeeded');
    // One run at a time: each execution started after the previous one finished.
    const executions = [...executor.executions].sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < executions.length; i++) {
      const previous = executions[i - 1]!;
      expect(previous.finishedAt).toBeDefined();
      expect(executions[i]!.startedAt).toBeGreaterThanOrEqual(previous.finishedAt!);
    }
    // Later slots were buffered (JobRunDeferred max-active-runs) before they started.
    const deferred = await Promise.all(
      finished.slice(1).map(async (r) => (await eventTypes(r.run_id)).map((e) => e.event_type)),
    );
    expect(deferred.some((types) => types.includes('JobRunDeferred'))).toBe(true);
    // Where deferred, before it started (indexOf -1 < any index when not deferred).
    for (const types of deferred)
      expect(types.indexOf('JobRunDeferred')).toBeLessThan(types.indexOf('JobRunStarted'));
    const reasons = (await Promise.all(finished.map(async (r) => eventTypes(r.run_id)))).flatMap(
      (events) => events.filter((e) => e.event_type === 'JobRunDeferred').map((e) => e.data.reason),
    );
    expect(new Set(reasons)).toEqual(new Set(['max-active-runs']));
  }, 120_000);

  it('cancel-older: the active run is cancelled for the next slot', async () => {
    const name = jobName('cancel');
    const catalog = new ManifestCatalog([
      {
        input: {
          ...testManifestInput(name, [testTask('work', 'wait-abort')], { everySeconds: 1 }),
          concurrency: { maxActiveRuns: 1, overlap: 'cancel-older' },
        },
      },
    ]);
    await start(catalog, new FunctionExecutor());
    const cancelled = await waitFor(
      async () => {
        const done = (await runsOf(name)).filter((r) => r.outcome === 'cancelled');
        return done.length >= 2 && done;
      },
      { description: 'two runs cancelled by newer slots', timeoutMs: 90_000, intervalMs: 100 },
    );
    for (const r of cancelled) expect(r.cancelled_by).toMatch(/^scheduler:/);
    // A newer run exists for each cancelled one.
    const all = await runsOf(name);
    for (const r of cancelled)
      expect(all.some((o) => o.nominal_time.getTime() > r.nominal_time.getTime())).toBe(true);
  }, 120_000);
});
