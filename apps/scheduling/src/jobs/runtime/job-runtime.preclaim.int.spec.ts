import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import type { JobRuntime } from './job-runtime';
import { startJobRuntime } from './start-job-runtime';
import { FunctionExecutor } from './test-support/function-executor';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// Pre-claimed slots (issue 12, cron fire lag): the instance that records a slot within the
// look-ahead leases it and starts it from memory at its start time. Against the real PostgreSQL,
// with instances as separate processes where one dies or stalls: a slot is never lost (another
// instance takes it over once the lease has expired) and never fires twice.
let ctx: TestContext;
let dir: string;
const runtimes: JobRuntime[] = [];
const children: ChildProcess[] = [];

const KILLED = 'ops.preclaim-test.killed';
const STALLED = 'ops.preclaim-test.stalled';
const LATE = 'ops.preclaim-test.late';
const SHARED = Array.from({ length: 8 }, (_, i) => `ops.preclaim-test.shared-${i}`);
const entries: { input: unknown }[] = [
  ...[KILLED, STALLED, LATE].map((name) => ({
    input: testManifestInput(name, [testTask('a', 'noop')], { everySeconds: 5 }),
  })),
  ...SHARED.map((name) => ({
    input: {
      ...testManifestInput(name, [testTask('a', 'noop')], { everySeconds: 1 }),
      concurrency: { maxActiveRuns: 100, overlap: 'allow' },
    },
  })),
];
// The child's lease: 2 s past the start time, fired from memory only 0.5 s short of it.
const GRACE_MS = 2_000;

interface Child {
  readonly process: ChildProcess;
  readonly stderr: string[];
}

/** One scheduler instance as its own process, ticking only `jobs`. */
const startChild = async (instanceId: string, jobs: readonly string[]): Promise<Child> => {
  const manifests = join(dir, `${instanceId}.json`);
  writeFileSync(
    manifests,
    JSON.stringify(entries.filter((e) => jobs.includes((e.input as { name: string }).name))),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'test-support/runtime-process.ts')],
    {
      env: {
        ...process.env,
        DATABASE_URL: ctx.databaseUrl,
        RUNTIME_SCHEMA: ctx.schema,
        RUNTIME_MANIFESTS: manifests,
        RUNTIME_INSTANCE_ID: instanceId,
        RUNTIME_IDLE_MS: '250',
        RUNTIME_LOOKAHEAD_MS: '3000',
        RUNTIME_PRECLAIM_GRACE_MS: String(GRACE_MS),
        RUNTIME_PRECLAIM_MARGIN_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const stderr: string[] = [];
  let ready = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') ready = true;
  });
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  await waitFor(() => ready || child.exitCode !== null, {
    timeoutMs: 120_000,
    description: `${instanceId} ready`,
  });
  if (!ready) throw new Error(`${instanceId} exited with ${child.exitCode}: ${stderr.join('\n')}`);
  return { process: child, stderr };
};

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** An in-process instance (the survivor), ticking `jobs`. */
const startRuntime = async (
  instanceId: string,
  jobs: readonly string[],
  onTimeGraceMs = 30_000,
) => {
  const executor = new FunctionExecutor();
  const runtime = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog: new ManifestCatalog(
      entries.filter((e) => jobs.includes((e.input as { name: string }).name)),
    ),
    executor,
    instanceId,
    idleMs: 250,
    lookaheadMs: 3_000,
    preclaimGraceMs: GRACE_MS,
    preclaimMarginMs: 500,
    onTimeGraceMs,
    migrate: false,
  });
  runtimes.push(runtime);
  return { runtime, executor };
};

interface PreclaimRow {
  run_id: string;
  nominal_time: Date;
  preclaim_owner: string;
  preclaim_until: Date;
}

/** A run `owner` pre-claimed whose start time is at least `leadMs` away. */
const preclaimedAhead = (job: string, owner: string, leadMs: number) =>
  waitFor(
    async () => {
      const { rows } = await ctx.pool.query<PreclaimRow>(
        `SELECT run_id, nominal_time, preclaim_owner, preclaim_until FROM job_runs
          WHERE job = $1 AND state = 'scheduled' AND preclaim_owner LIKE $2
            AND not_before > now() + make_interval(secs => $3 / 1000.0)
          ORDER BY nominal_time LIMIT 1`,
        [job, `${owner}#%`, leadMs],
      );
      return rows[0];
    },
    { timeoutMs: 30_000, description: `a run of ${job} pre-claimed by ${owner}` },
  );

const finishedRun = (runId: string) =>
  waitFor(
    async () => {
      const { rows } = await ctx.pool.query<{ outcome: string; started_at: Date }>(
        `SELECT outcome, started_at FROM job_runs WHERE run_id = $1 AND state = 'finished'`,
        [runId],
      );
      return rows[0];
    },
    { timeoutMs: 30_000, description: `run ${runId} finished` },
  );

const startsOf = async (runId: string) =>
  (
    await ctx.pool.query<{ event_type: string; data: Record<string, unknown> }>(
      `SELECT event_type, data FROM events
        WHERE stream_id = $1 AND event_type IN ('JobRunStarted', 'TaskRunStarted')
        ORDER BY stream_version`,
      [`job-run-${runId}`],
    )
  ).rows;

beforeAll(async () => {
  ctx = await createTestContext('job_runtime_preclaim');
  dir = mkdtempSync(join(tmpdir(), 'job-runtime-preclaim-'));
  // Migrates the schema, then stops: the instances under test are the only ones admitting runs.
  const migrator = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog: new ManifestCatalog(entries),
    executor: new FunctionExecutor(),
    concurrency: 0,
    scheduler: false,
    instanceId: 'test-migrator',
  });
  await migrator.stop(0);
}, 120_000);

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.signalCode === 'SIGSTOP') child.kill('SIGCONT');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
  await Promise.all(runtimes.splice(0).map((r) => r.stop(2_000)));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await ctx?.dispose();
});

it('an instance killed (kill -9) after pre-claiming a slot: another fires it once, after the lease', async () => {
  const victim = await startChild('victim', [KILLED]);
  const run = await preclaimedAhead(KILLED, 'victim', 1_000);
  victim.process.kill('SIGKILL');
  await exited(victim.process);
  // Killed before the start time: the victim never started it.
  expect(run.nominal_time.getTime()).toBeGreaterThan(Date.now());

  const { executor } = await startRuntime('survivor', [KILLED]);
  const finished = await finishedRun(run.run_id);
  expect(finished.outcome).toBe('succeeded');
  // Taken over once the lease had expired (not before: the victim could have been alive).
  expect(finished.started_at.getTime()).toBeGreaterThanOrEqual(run.preclaim_until.getTime());
  expect(run.preclaim_until.getTime()).toBe(run.nominal_time.getTime() + GRACE_MS);
  const starts = await startsOf(run.run_id);
  expect(starts.map((e) => [e.event_type, e.data['worker']])).toEqual([
    ['JobRunStarted', undefined],
    ['TaskRunStarted', 'survivor'],
  ]);
  expect(executor.executions.filter((x) => x.taskKey === `${run.run_id}/a`)).toHaveLength(1);
}, 120_000);

it('a killed holder whose lease expired past the catch-up window: the slot is recorded missed', async () => {
  const victim = await startChild('victim', [LATE]);
  const run = await preclaimedAhead(LATE, 'victim', 1_000);
  victim.process.kill('SIGKILL');
  await exited(victim.process);
  // On time only within 0.5 s and no catch-up: a takeover after the 2 s lease is too late.
  const { executor } = await startRuntime('survivor', [LATE], 500);
  const missed = await waitFor(
    async () => {
      const { rows } = await ctx.pool.query<{ state: string }>(
        `SELECT state FROM job_runs WHERE run_id = $1 AND state <> 'scheduled'`,
        [run.run_id],
      );
      return rows[0];
    },
    { timeoutMs: 30_000, description: `run ${run.run_id} decided` },
  );
  expect(missed.state).toBe('missed');
  const { rows: events } = await ctx.pool.query<{ event_type: string }>(
    `SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version`,
    [`job-run-${run.run_id}`],
  );
  expect(events.map((e) => e.event_type)).toEqual(['JobRunScheduled', 'JobRunMissed']);
  expect(executor.executions.filter((x) => x.taskKey === `${run.run_id}/a`)).toEqual([]);
}, 120_000);

it('a stalled instance (its lease expired on its own clock while it was stopped) does not fire', async () => {
  const stalled = await startChild('stalled', [STALLED]);
  const run = await preclaimedAhead(STALLED, 'stalled', 1_000);
  stalled.process.kill('SIGSTOP');
  const { executor } = await startRuntime('survivor', [STALLED]);
  const finished = await finishedRun(run.run_id);
  expect(finished.started_at.getTime()).toBeGreaterThanOrEqual(run.preclaim_until.getTime());
  // It wakes after its lease has expired: its timer fires, it finds the lease gone on its own
  // clock and leaves the run alone (no execution, so nothing to abort afterwards).
  stalled.process.kill('SIGCONT');
  const line = await waitFor(
    () => stalled.stderr.find((l) => l.includes(`pre-claimed run ${run.run_id}`)),
    { timeoutMs: 30_000, description: 'the stalled instance reports the run it left' },
  );
  expect(line).toContain('not started from memory');
  stalled.process.kill('SIGTERM');
  await exited(stalled.process);
  expect(stalled.stderr.join('\n')).not.toContain('was started from memory');
  const starts = await startsOf(run.run_id);
  expect(starts.map((e) => [e.event_type, e.data['worker']])).toEqual([
    ['JobRunStarted', undefined],
    ['TaskRunStarted', 'survivor'],
  ]);
  expect(executor.executions.filter((x) => x.taskKey === `${run.run_id}/a`)).toHaveLength(1);
}, 120_000);

it('two instances pre-claiming the same schedules: every slot starts once, from memory by its holder', async () => {
  const a = await startRuntime('alpha', SHARED);
  const b = await startRuntime('beta', SHARED);
  const since = Date.now() + 4_000; // past the first ticks (their slots may already be due)
  await waitFor(
    async () => {
      const { rows } = await ctx.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM job_runs
          WHERE job = ANY($1::text[]) AND nominal_time > $2 AND state = 'finished'`,
        [SHARED, new Date(since)],
      );
      return (rows[0]?.n ?? 0) >= 40;
    },
    { timeoutMs: 60_000, description: '40 slots finished' },
  );
  await Promise.all(runtimes.splice(0).map((r) => r.stop(2_000)));
  const { rows: runs } = await ctx.pool.query<{
    run_id: string;
    preclaim_owner: string | null;
    state: string;
    lag_ms: number;
  }>(
    `SELECT run_id, preclaim_owner, state,
            (extract(epoch FROM started_at - not_before) * 1000)::float8 AS lag_ms
       FROM job_runs WHERE job = ANY($1::text[]) AND nominal_time > $2 AND state <> 'scheduled'`,
    [SHARED, new Date(since)],
  );
  const { rows: started } = await ctx.pool.query<{ run_id: string; n: number; worker: string }>(
    `SELECT substr(stream_id, 9) AS run_id, count(*)::int AS n, min(data->>'worker') AS worker
       FROM events WHERE event_type = 'TaskRunStarted' AND data->>'job' = ANY($1::text[])
      GROUP BY stream_id`,
    [SHARED],
  );
  const startedBy = new Map(started.map((s) => [s.run_id, s]));
  // Never twice: one TaskRunStarted per run, one execution per task key across both instances.
  expect(started.filter((s) => s.n !== 1)).toEqual([]);
  const executions = [...a.executor.executions, ...b.executor.executions].map((x) => x.taskKey);
  expect(executions.length).toBe(new Set(executions).size);
  // Started from memory by the instance that pre-claimed it, at its start time.
  const preclaimed = runs.filter((r) => r.preclaim_owner !== null && startedBy.has(r.run_id));
  expect(preclaimed.length).toBeGreaterThan(20);
  for (const r of preclaimed) {
    expect(r.preclaim_owner!.split('#')[0]).toBe(startedBy.get(r.run_id)!.worker);
    expect(r.lag_ms).toBeGreaterThanOrEqual(0);
  }
}, 120_000);
