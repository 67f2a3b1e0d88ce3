import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { ValidationError } from '@trainyard/kernel';
import { JobRunQueries } from './job-run.queries';
import type { JobRuntime } from './job-runtime';
import { startJobRuntime } from './start-job-runtime';
import { FunctionExecutor } from './test-support/function-executor';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// The runtime against the real PostgreSQL: runs, retries, joins, branching, timeouts, cancel,
// the scheduler tick with catch-up and missed slots, two instances sharing one schema.
let ctx: TestContext;
const runtimes: JobRuntime[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  ctx = await createTestContext('job_runtime');
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop(2_000)));
});
afterAll(async () => {
  await ctx?.dispose();
});

const start = async (
  catalog: ManifestCatalog,
  extra: { instanceId?: string; leaseMs?: number; concurrency?: number } = {},
  executor = new FunctionExecutor(),
) => {
  const runtime = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog,
    executor,
    idleMs: 200,
    catalogRefreshMs: 0,
    onError: (e) => errors.push(e),
    ...extra,
  });
  runtimes.push(runtime);
  return { runtime, executor };
};

interface EventRow {
  stream_id: string;
  event_type: string;
  data: Record<string, unknown>;
}
const eventsOf = async (runId: string): Promise<EventRow[]> =>
  (
    await ctx.pool.query<EventRow>(
      `SELECT stream_id, event_type, data FROM ${ctx.schema}.events WHERE stream_id = $1 ORDER BY stream_version`,
      [`job-run-${runId}`],
    )
  ).rows;
const finishedRun = (runId: string, timeoutMs = 60_000) =>
  waitFor(
    async () => (await eventsOf(runId)).find((e) => e.event_type === 'JobRunFinished')?.data,
    { timeoutMs, description: `run ${runId} finished` },
  );
const taskOutcomes = async (runId: string) =>
  Object.fromEntries(
    (
      await ctx.pool.query<{ task_id: string; outcome: string | null; attempt: number }>(
        `SELECT task_id, outcome, attempt FROM ${ctx.schema}.job_task_runs WHERE run_id = $1`,
        [runId],
      )
    ).rows.map((r) => [r.task_id, `${r.outcome}#${r.attempt}`]),
  );
let seq = 0;
const jobName = (what: string) => `ops.runtime-test.${what}-${++seq}`;
const catalogOf = (
  name: string,
  tasks: Record<string, unknown>[],
  /** The manifest's runtime fields (concurrency, catchUpSeconds, …), validated with the rest. */
  fields: Record<string, unknown> = {},
  schedule?: Record<string, unknown>,
) => new ManifestCatalog([{ input: { ...testManifestInput(name, tasks, schedule), ...fields } }]);

describe('job runtime', () => {
  it('runs a DAG: a flaky task succeeds on retry, a join waits for both branches', async () => {
    const name = jobName('dag');
    const catalog = catalogOf(name, [
      testTask('extract', 'noop'),
      testTask('flaky', 'flaky', ['2'], {
        dependsOn: ['extract'],
        retries: { max: 3, backoffSeconds: 1, maxDelaySeconds: 1 },
      }),
      testTask('other', 'noop', [], { dependsOn: ['extract'] }),
      testTask('join', 'noop', [], { dependsOn: ['flaky', 'other'] }),
    ]);
    // Backoff 1 s with full jitter: at most 1 s per retry.
    const { runtime, executor } = await start(catalog);
    const { runId, created } = await runtime.triggerRun({ job: name, requestedBy: 'alice' });
    expect(created).toBe(true);
    const finished = await finishedRun(runId);
    expect(finished['outcome']).toBe('succeeded');
    expect(await taskOutcomes(runId)).toEqual({
      extract: 'succeeded#1',
      flaky: 'succeeded#3',
      other: 'succeeded#1',
      join: 'succeeded#1',
    });
    const types = (await eventsOf(runId)).map((e) => e.event_type);
    expect(types.slice(0, 3)).toEqual(['JobRunScheduled', 'JobRunStarted', 'TaskRunStarted']);
    expect(types.filter((t) => t === 'TaskRetryScheduled')).toHaveLength(2);
    expect(types[types.length - 1]).toBe('JobRunFinished');
    // Every attempt's result says when it started and how long it ran.
    const results = (await eventsOf(runId)).filter((e) => e.event_type === 'TaskRunFinished');
    expect(results).toHaveLength(6);
    for (const result of results)
      expect(result.data).toMatchObject({
        startedAt: expect.any(String),
        durationMs: expect.any(Number),
      });
    // The task key is the same on every attempt of the flaky task.
    const keys = new Set(
      executor.executions.filter((e) => e.taskKey.endsWith('/flaky')).map((e) => e.taskKey),
    );
    expect(keys.size).toBe(1);
    expect(executor.executions.filter((e) => e.taskKey.endsWith('/flaky'))).toHaveLength(3);
  });

  it('an idempotency key makes a repeated trigger the same run', async () => {
    const name = jobName('idem');
    const { runtime } = await start(catalogOf(name, [testTask('a', 'noop')]));
    const first = await runtime.triggerRun({ job: name, idempotencyKey: 'k1', requestedBy: 'bob' });
    const again = await runtime.triggerRun({ job: name, idempotencyKey: 'k1', requestedBy: 'bob' });
    expect(again).toEqual({ runId: first.runId, created: false });
    await finishedRun(first.runId);
    expect(
      (await eventsOf(first.runId)).filter((e) => e.event_type === 'JobRunScheduled'),
    ).toHaveLength(1);
  });

  it('a failing task skips its all-succeeded dependents, runs its any-failed handler, fails the run', async () => {
    const name = jobName('fail');
    const { runtime } = await start(
      catalogOf(name, [
        testTask('load', 'fail', ['7']),
        testTask('report', 'noop', [], { dependsOn: ['load'] }),
        testTask('alert', 'noop', [], { dependsOn: ['load'], trigger: 'any-failed' }),
      ]),
    );
    const { runId } = await runtime.triggerRun({ job: name, requestedBy: 'carol' });
    expect((await finishedRun(runId))['outcome']).toBe('failed');
    expect(await taskOutcomes(runId)).toEqual({
      load: 'failed#1',
      report: 'skipped#1',
      alert: 'succeeded#1',
    });
    const failed = (await eventsOf(runId)).find(
      (e) => e.event_type === 'TaskRunFinished' && e.data['taskId'] === 'load',
    );
    expect(failed?.data).toMatchObject({ outcome: 'failed', exitCode: 7 });
  });

  it('branches on an exit code: the named branch runs, the other is skipped', async () => {
    const name = jobName('branch');
    const { runtime } = await start(
      catalogOf(name, [
        testTask('check', 'exit', ['3'], {
          outcomes: [{ when: { exitCodes: [3] }, then: 'branch', branch: ['delta'] }],
        }),
        testTask('full', 'noop', [], { dependsOn: ['check'] }),
        testTask('delta', 'noop', [], { dependsOn: ['check'] }),
      ]),
    );
    const { runId } = await runtime.triggerRun({ job: name, requestedBy: 'dan' });
    expect((await finishedRun(runId))['outcome']).toBe('succeeded');
    expect(await taskOutcomes(runId)).toEqual({
      check: 'failed#1',
      full: 'skipped#1',
      delta: 'succeeded#1',
    });
  });

  it('times a task out and cancels a run, aborting its running task', async () => {
    const name = jobName('timeout');
    const { runtime, executor: first } = await start(
      catalogOf(name, [testTask('slow', 'wait-abort', [], { timeoutSeconds: 1 })]),
    );
    const timed = await runtime.triggerRun({ job: name, requestedBy: 'erin' });
    expect((await finishedRun(timed.runId))['outcome']).toBe('failed');
    expect(await taskOutcomes(timed.runId)).toEqual({ slow: 'timed-out#1' });

    const other = jobName('cancel');
    const catalog = catalogOf(other, [testTask('slow', 'wait-abort', [], { timeoutSeconds: 600 })]);
    const { runtime: r2, executor: second } = await start(catalog);
    const run = await r2.triggerRun({ job: other, requestedBy: 'erin' });
    // Both runtimes share the schema: either one's worker may claim the task.
    const execution = () =>
      [...first.executions, ...second.executions].find((e) => e.taskKey.startsWith(run.runId));
    await waitFor(() => execution() !== undefined, { description: 'the task running' });
    expect(await r2.cancelRun(run.runId, 'frank')).toBe(true);
    const finished = await finishedRun(run.runId);
    expect(finished).toMatchObject({ outcome: 'cancelled', cancelledBy: 'frank' });
    await waitFor(() => execution()?.finishedAt, { description: 'the execution aborted' });
    expect(await r2.cancelRun(run.runId, 'frank')).toBe(false);
    void runtime;
  });

  it('passes a 30-task chain from task to task', async () => {
    const name = jobName('chain');
    const tasks = Array.from({ length: 30 }, (_, i) =>
      testTask(
        `t${String(i).padStart(2, '0')}`,
        'noop',
        [],
        i === 0 ? {} : { dependsOn: [`t${String(i - 1).padStart(2, '0')}`] },
      ),
    );
    const { runtime } = await start(catalogOf(name, tasks));
    const { runId } = await runtime.triggerRun({ job: name, requestedBy: 'gail' });
    expect((await finishedRun(runId))['outcome']).toBe('succeeded');
    expect(Object.values(await taskOutcomes(runId)).every((o) => o === 'succeeded#1')).toBe(true);
  });

  it('records a result decided over an out-of-date snapshot of its run again over the locked run', async () => {
    // The first instance has two workers, one held by another job's task: the root's result hands
    // one branch off to the other (the run's state stays in memory for that branch's result) and
    // leaves the second branch ready, which the second instance runs meanwhile. The first
    // instance's snapshot is then out of date when its branch finishes: its events collide with
    // the second instance's, and it decides again over the locked run.
    const reported = errors.length;
    const name = jobName('stale');
    const hold = jobName('hold');
    const catalog = new ManifestCatalog([
      {
        input: testManifestInput(name, [
          testTask('root', 'noop'),
          testTask('left', 'noop', [], { dependsOn: ['root'] }),
          testTask('right', 'noop', [], { dependsOn: ['root'] }),
          testTask('join', 'noop', [], { dependsOn: ['left', 'right'] }),
        ]),
      },
      { input: testManifestInput(hold, [testTask('hold', 'noop')]) },
    ]);
    const gate = () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    };
    const gates = { hold: gate(), branch: gate() };
    const gated = new FunctionExecutor((e) =>
      e.taskId === 'root'
        ? Promise.resolve()
        : e.taskId === 'hold'
          ? gates.hold.promise
          : gates.branch.promise,
    );
    const { runtime } = await start(catalog, { concurrency: 2 }, gated);
    const held = await runtime.triggerRun({ job: hold, requestedBy: 'hal' });
    await waitFor(() => gated.executions.length === 1, { description: 'the hold task running' });
    const { runId } = await runtime.triggerRun({ job: name, requestedBy: 'hal' });
    await waitFor(() => gated.executions.length === 3, { description: 'a branch handed off' });
    const { executor: other } = await start(catalog, { concurrency: 1 });
    await waitFor(() => other.executions[0]?.finishedAt, { description: 'the other branch run' });
    const otherBranch = other.executions[0]!.taskKey.split('/')[1]!;
    await waitFor(async () => (await taskOutcomes(runId))[otherBranch] === 'succeeded#1', {
      description: 'the other branch recorded',
    });
    // The worker comes back: the first instance's next claim finds nothing else ready.
    gates.hold.resolve();
    await finishedRun(held.runId);
    gates.branch.resolve();
    expect((await finishedRun(runId))['outcome']).toBe('succeeded');
    expect(await taskOutcomes(runId)).toEqual({
      root: 'succeeded#1',
      left: 'succeeded#1',
      right: 'succeeded#1',
      join: 'succeeded#1',
    });
    const { rows } = await ctx.pool.query<{ v: number }>(
      `SELECT stream_version AS v FROM ${ctx.schema}.events WHERE stream_id = $1 ORDER BY 1`,
      [`job-run-${runId}`],
    );
    expect(rows.map((r) => r.v)).toEqual(rows.map((_, i) => i + 1));
    const ofRun = [...gated.executions, ...other.executions].filter((e) =>
      e.taskKey.startsWith(`${runId}/`),
    );
    expect(ofRun.map((e) => e.taskKey.split('/')[1]).sort()).toEqual([
      'join',
      'left',
      'right',
      'root',
    ]);
    expect(errors.slice(reported)).toEqual([]);
  });

  it('fires interval slots once across two instances; catches up inside the window, records older slots missed', async () => {
    const name = jobName('tick');
    const catalog = catalogOf(
      name,
      [testTask('a', 'noop')],
      { catchUpSeconds: 150, concurrency: { maxActiveRuns: 10, overlap: 'skip' } },
      { everySeconds: 60 },
    );
    // The scheduler was down for ten minutes: slots 10..3 minutes ago are missed, the last two
    // (within 150 s) fire as catch-up.
    await startJobRuntime({
      pool: ctx.pool,
      schema: ctx.schema,
      catalog,
      executor: new FunctionExecutor(),
      concurrency: 0,
      scheduler: false,
    }).then((r) => r.stop(0));
    const minute = 60_000;
    const now = Date.now();
    const downSince = Math.floor(now / minute) * minute - 10 * minute + 1;
    await ctx.pool.query(
      `INSERT INTO ${ctx.schema}.job_schedule_marks (job, high_water) VALUES ($1, $2)`,
      [name, new Date(downSince)],
    );
    await start(catalog, { instanceId: 'one' });
    await start(catalog, { instanceId: 'two' });
    const runs = await waitFor(
      async () => {
        const { rows } = await ctx.pool.query<{
          state: string;
          trigger: string;
          nominal_time: Date;
          n: number;
        }>(
          `SELECT state, trigger, nominal_time FROM ${ctx.schema}.job_runs WHERE job = $1 ORDER BY nominal_time`,
          [name],
        );
        return rows.length >= 10 && rows;
      },
      { description: 'the slots of the downtime' },
    );
    const missed = runs.filter((r) => r.state === 'missed');
    const fired = runs.filter((r) => r.state !== 'missed');
    expect(missed.length).toBeGreaterThanOrEqual(7);
    for (const r of missed) expect(now - r.nominal_time.getTime()).toBeGreaterThan(150_000 - 5_000);
    for (const r of fired) expect(r.trigger === 'catch-up' || r.trigger === 'schedule').toBe(true);
    expect(fired.some((r) => r.trigger === 'catch-up')).toBe(true);
    // Every slot of the ten minutes is there exactly once, and has exactly one first event.
    const slots = runs.map((r) => r.nominal_time.getTime());
    expect(new Set(slots).size).toBe(slots.length);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBe(minute);
    const { rows: firsts } = await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${ctx.schema}.events e JOIN ${ctx.schema}.job_runs r ON e.stream_id = 'job-run-' || r.run_id
        WHERE r.job = $1 AND e.stream_version = 1`,
      [name],
    );
    expect(firsts[0]?.n).toBe(runs.length);
    expect(errors.filter((e) => !String(e).includes('stopping'))).toEqual([]);
  });

  it('answers GetRun with the task tree in dependency order, ListRuns by job with pages, and refuses bad queries naming the field', async () => {
    const name = jobName('queries');
    const { runtime } = await start(
      catalogOf(name, [
        testTask('z-last', 'noop', [], { dependsOn: ['m-middle'] }),
        testTask('m-middle', 'noop', [], { dependsOn: ['a-first'] }),
        testTask('a-first', 'noop'),
      ]),
    );
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await runtime.triggerRun({ job: name, requestedBy: 'q' })).runId);
    for (const id of ids) await finishedRun(id);
    const queries = new JobRunQueries(ctx.pool, ctx.schema);
    const tree = await queries.getRun(ids[0]!);
    expect(tree).toMatchObject({
      runId: ids[0],
      job: name,
      state: 'finished',
      outcome: 'succeeded',
      trigger: 'manual',
    });
    expect(tree?.tasks.map((t) => [t.taskId, t.outcome, t.dependsOn])).toEqual([
      ['a-first', 'succeeded', []],
      ['m-middle', 'succeeded', ['a-first']],
      ['z-last', 'succeeded', ['m-middle']],
    ]);
    expect(await queries.getRun('no-such-run')).toBeUndefined();

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await queries.listRuns({
        job: name,
        state: 'finished',
        pageSize: 2,
        ...(pageToken ? { pageToken } : {}),
      });
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.runs.map((r) => r.runId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.sort()).toEqual([...ids].sort());

    for (const [query, field] of [
      [{ pageSize: 0 }, 'pageSize'],
      [{ state: 'bogus' }, 'state'],
      [{ from: 'yesterday' }, 'from'],
      [{ pageToken: 'garbage' }, 'pageToken'],
    ] as const) {
      const error = await queries.listRuns(query).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });
});
