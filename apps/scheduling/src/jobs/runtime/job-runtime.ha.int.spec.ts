import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  buildPlatform,
  createTestContext,
  waitFor,
  type PlatformBuild,
  type TestContext,
} from '@trainyard/testing';
import type { JobRuntime } from './job-runtime';
import { startJobRuntime } from './start-job-runtime';
import { FunctionExecutor } from './test-support/function-executor';
import { ManifestCatalog, testManifestInput, testTask } from './test-support/manifest-catalog';

// Issue 12, item 6: three scheduler instances as separate processes share one schema; many
// schedules fire every second and a DAG runs; the process running the DAG's long task is killed
// with SIGKILL mid-task. No slot fires twice, no due slot is skipped, the killed task is reclaimed
// after its lease and completed by another instance.
let ctx: TestContext;
let build: PlatformBuild;
let dir: string;
const children = new Map<string, ChildProcess>();
let client: JobRuntime | undefined;

const SCHEDULED = Array.from({ length: 12 }, (_, i) => `ops.ha-test.every-second-${i}`);
const DAG = 'ops.ha-test.nightly-dag';
const entries: { input: unknown }[] = [
  ...SCHEDULED.map((name) => ({
    input: {
      ...testManifestInput(name, [testTask('a', 'noop')], { everySeconds: 1 }),
      concurrency: { maxActiveRuns: 100, overlap: 'allow' },
    },
  })),
  {
    // Every task may be on the killed instance (running, or its result not yet recorded).
    input: testManifestInput(
      DAG,
      [
        testTask('extract', 'noop'),
        testTask('long', 'sleep', ['4000'], { dependsOn: ['extract'] }),
        testTask('side', 'noop', [], { dependsOn: ['extract'] }),
        testTask('publish', 'noop', [], { dependsOn: ['long', 'side'] }),
      ].map((t) => ({ ...t, retries: { max: 2, backoffSeconds: 1, maxDelaySeconds: 1 } })),
    ),
  },
];

const startChild = async (instanceId: string): Promise<void> => {
  const child = fork(
    join(build.dir, 'apps/scheduling/src/jobs/runtime/test-support/runtime-process.js'),
    [],
    {
      env: {
        ...process.env,
        DATABASE_URL: ctx.databaseUrl,
        RUNTIME_SCHEMA: ctx.schema,
        RUNTIME_MANIFESTS: join(dir, 'manifests.json'),
        RUNTIME_INSTANCE_ID: instanceId,
        RUNTIME_LEASE_MS: '2000',
        RUNTIME_IDLE_MS: '250',
        RUNTIME_CONCURRENCY: '8',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  children.set(instanceId, child);
  let ready = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line === 'ready') ready = true;
  });
  child.stderr!.on('data', (chunk: Buffer) =>
    process.stderr.write(`[${instanceId}] ${chunk.toString()}`),
  );
  await waitFor(() => ready || child.exitCode !== null, {
    timeoutMs: 120_000,
    description: `${instanceId} ready`,
  });
  if (!ready) throw new Error(`${instanceId} exited with ${child.exitCode}`);
};

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

beforeAll(async () => {
  ctx = await createTestContext('job_runtime_ha');
  build = buildPlatform();
  dir = mkdtempSync(join(tmpdir(), 'job-runtime-ha-'));
  writeFileSync(join(dir, 'manifests.json'), JSON.stringify(entries));
  // Migrates the schema; in this process it only writes (trigger), it never ticks or executes.
  client = await startJobRuntime({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog: new ManifestCatalog(entries),
    executor: new FunctionExecutor(),
    concurrency: 0,
    scheduler: false,
    instanceId: 'test-client',
  });
  for (const id of ['alpha', 'beta', 'gamma']) await startChild(id);
}, 300_000);

afterAll(async () => {
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all([...children.values()].map(exited));
  await client?.stop(0);
  build?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await ctx?.dispose();
});

it('survives kill -9 of the instance running a task: no double fire, no skipped slot, task reclaimed', async () => {
  const { runId } = await client!.triggerRun({ job: DAG, requestedBy: 'ops' });
  const victim = await waitFor(
    async () => {
      const { rows } = await ctx.pool.query<{ lease_owner: string }>(
        `SELECT lease_owner FROM job_task_runs WHERE run_id = $1 AND task_id = 'long' AND status = 'running'`,
        [runId],
      );
      return rows[0]?.lease_owner;
    },
    { timeoutMs: 60_000, description: 'the long task running' },
  );
  const child = children.get(victim)!;
  child.kill('SIGKILL');
  await exited(child);
  const killedAt = Date.now();

  // Reclaimed after the lease (2 s), retried by a surviving instance, the run completes.
  const finished = await waitFor(
    async () => {
      const { rows } = await ctx.pool.query<{ outcome: string | null }>(
        `SELECT outcome FROM job_runs WHERE run_id = $1 AND state = 'finished'`,
        [runId],
      );
      return rows[0];
    },
    { timeoutMs: 90_000, description: 'the DAG run finished' },
  );
  const { rows: taskRows } = await ctx.pool.query<{
    task_id: string;
    outcome: string;
    attempt: number;
    detail: string | null;
  }>(
    `SELECT task_id, outcome, attempt, detail FROM job_task_runs WHERE run_id = $1 ORDER BY task_id`,
    [runId],
  );
  // The tasks in the message when it fails: which one failed, on which attempt, why.
  expect({ outcome: finished.outcome, tasks: taskRows }).toMatchObject({
    outcome: 'succeeded',
    tasks: [
      { task_id: 'extract', outcome: 'succeeded' },
      { task_id: 'long', outcome: 'succeeded', attempt: 2 },
      { task_id: 'publish', outcome: 'succeeded' },
      { task_id: 'side', outcome: 'succeeded' },
    ],
  });
  const { rows: attempts } = await ctx.pool.query<{
    event_type: string;
    data: Record<string, unknown>;
  }>(
    `SELECT event_type, data FROM events WHERE stream_id = $1 AND data->>'taskId' = 'long' ORDER BY stream_version`,
    [`job-run-${runId}`],
  );
  const lost = attempts.find(
    (e) => e.event_type === 'TaskRunFinished' && e.data['outcome'] === 'lost',
  );
  expect(lost?.data).toMatchObject({ attempt: 1 });
  const started = attempts.filter((e) => e.event_type === 'TaskRunStarted');
  expect(started[0]?.data['worker']).toBe(victim);
  const last = started[started.length - 1]!;
  expect(last.data['worker']).not.toBe(victim);
  expect(
    attempts.find(
      (e) => e.event_type === 'TaskRunFinished' && e.data['attempt'] === last.data['attempt'],
    )?.data['outcome'],
  ).toBe('succeeded');

  // Let the survivors schedule a few more seconds past the kill, then stop them.
  await waitFor(
    async () => {
      const { rows } = await ctx.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM job_runs WHERE job = $1 AND nominal_time > $2`,
        [SCHEDULED[0], new Date(killedAt + 2_000)],
      );
      return (rows[0]?.n ?? 0) >= 2;
    },
    { timeoutMs: 60_000, description: 'slots after the kill' },
  );
  for (const [, c] of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all([...children.values()].map(exited));

  // No slot fired twice: one run and one JobRunScheduled per (job, nominal time).
  const { rows: runs } = await ctx.pool.query<{
    job: string;
    nominal_time: Date;
    run_id: string;
    state: string;
  }>(
    `SELECT job, nominal_time, run_id, state FROM job_runs WHERE job = ANY($1::text[]) ORDER BY job, nominal_time`,
    [SCHEDULED],
  );
  const { rows: scheduledEvents } = await ctx.pool.query<{
    job: string;
    nominal: string;
    n: number;
  }>(
    `SELECT data->>'job' AS job, data->>'nominalTime' AS nominal, count(*)::int AS n FROM events
      WHERE event_type = 'JobRunScheduled' AND data->>'job' = ANY($1::text[]) GROUP BY 1, 2`,
    [SCHEDULED],
  );
  expect(scheduledEvents.every((e) => e.n === 1)).toBe(true);
  const fired = runs.filter((r) => r.state !== 'missed' && r.state !== 'skipped');
  expect(scheduledEvents).toHaveLength(fired.length);
  expect(runs.filter((r) => r.state === 'missed')).toEqual([]);
  // No due slot skipped: per job, every second from its first slot to its last is there.
  for (const job of SCHEDULED) {
    const times = runs.filter((r) => r.job === job).map((r) => r.nominal_time.getTime());
    expect(times.length).toBeGreaterThan(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1_000);
  }
  // Work was shared: more than one instance started tasks of the scheduled jobs.
  const { rows: workers } = await ctx.pool.query<{ worker: string }>(
    `SELECT DISTINCT data->>'worker' AS worker FROM events WHERE event_type = 'TaskRunStarted'`,
  );
  expect(workers.length).toBeGreaterThan(1);
}, 300_000);
