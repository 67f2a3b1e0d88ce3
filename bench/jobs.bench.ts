import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Pool } from 'pg';
import { createFairSharePolicy } from '@trainyard/scheduling-domain';
import { startJobRuntime } from '../apps/scheduling/src/scheduling.service';
import {
  cpuProfileArgs,
  percentile,
  row,
  sleep,
  wallClock,
  type BenchArea,
  type BenchContext,
} from './bench-harness';
import {
  BenchCatalog,
  NoopExecutor,
  chainJob,
  cronJobName,
  singleTaskJob,
  taskOfChain,
  type ExecutionTiming,
} from './job-bench-support';
import {
  graphileWorkerChainDelays,
  graphileWorkerDispatch,
  pgBossDispatch,
  setTimeoutCronLags,
} from './jobs-peers';

/**
 * The batch-job rows of issue 12: the real job runtime (apps/scheduling/src/jobs/runtime) on the
 * same PostgreSQL as its peers, in a schema of this run.
 */

const CONCURRENCY = 24;
const NOOP_JOB = 'bench.noop.task';
const CHAIN_JOB = 'bench.chain.links';
const CHAIN_LENGTH = 100;

const runtimeSchema = async (ctx: BenchContext, label: string, pool: Pool): Promise<string> => {
  const schema = ctx.schema(label);
  // Migrations only: no scheduler, no workers.
  const migrator = await startJobRuntime({
    pool,
    schema,
    catalog: new BenchCatalog([]),
    executor: new NoopExecutor(),
    concurrency: 0,
    scheduler: false,
  });
  await migrator.stop(0);
  return schema;
};

const waitFor = async (what: string, ms: number, done: () => Promise<boolean>) => {
  const deadline = performance.now() + ms;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${what}: not done after ${ms} ms`);
    await sleep(50);
  }
};

/**
 * scheduling.dispatch: no-op tasks completed per second by one runtime with 24 workers, from a
 * backlog of runs triggered before the window (batches of 1,000); baseline graphile-worker with
 * the same concurrency and backlog; pg-boss as a reference row.
 */
async function dispatchRows(ctx: BenchContext, emit: (r: ReturnType<typeof row>) => void) {
  const pool = ctx.pool(CONCURRENCY + 6);
  const schema = await runtimeSchema(ctx, 'jobsdispatch', pool);
  const catalog = new BenchCatalog([singleTaskJob(NOOP_JOB)]);
  const backlog = ctx.sizes.quick ? 20_000 : 40_000;
  const feeder = await startJobRuntime({
    pool,
    schema,
    catalog,
    executor: new NoopExecutor(),
    concurrency: 0,
    scheduler: false,
    migrate: false,
  });
  const fed = performance.now();
  for (let i = 0; i < backlog; i += 1_000)
    await feeder.triggerRuns(
      Array.from({ length: Math.min(1_000, backlog - i) }, () => ({
        job: NOOP_JOB,
        requestedBy: 'bench',
      })),
    );
  const tasks = `"${schema}".job_task_runs`;
  await waitFor('admission of the backlog', 300_000, async () => {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${tasks} WHERE status = 'ready'`,
    );
    return Number(rows[0]?.n) >= backlog;
  });
  await feeder.stop(0);
  ctx.log(
    `  scheduling.dispatch: ${backlog} runs triggered and admitted in ${((performance.now() - fed) / 1000).toFixed(1)} s`,
  );

  const baseline = await graphileWorkerDispatch(ctx, CONCURRENCY);
  const executor = new NoopExecutor();
  const runtime = await startJobRuntime({
    pool,
    schema,
    catalog,
    executor,
    concurrency: CONCURRENCY,
    scheduler: false,
    migrate: false,
  });
  let value: number;
  try {
    await sleep(ctx.sizes.warmupMs);
    const before = executor.executed;
    const start = performance.now();
    await sleep(ctx.sizes.windowMs);
    const done = executor.executed - before;
    value = done / ((performance.now() - start) / 1000);
    if (executor.executed >= backlog)
      ctx.log('  scheduling.dispatch: the backlog drained inside the window: the rate is a floor');
  } finally {
    await runtime.stop(5_000);
  }
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${tasks} WHERE status = 'done' AND outcome = 'succeeded'`,
  );
  ctx.log(
    `  scheduling.dispatch: ${executor.executed} executions, ${rows[0]?.n} recorded succeeded`,
  );
  emit(row('scheduling.dispatch', 'events/s', value, baseline));
  if (!ctx.sizes.quick || process.env.BENCH_PG_BOSS === '1') {
    const boss = await pgBossDispatch(ctx, CONCURRENCY);
    emit(row('scheduling.dispatch.pg-boss', 'events/s', value, boss));
  }
}

/**
 * scheduling.dag.latency: the delay between a task finishing and its dependent starting, over a
 * chain of 100 no-op tasks in one run; baseline graphile-worker's delay between a job and the
 * job it enqueues. p50 is the row; p99 a second row.
 */
async function dagLatencyRows(ctx: BenchContext, emit: (r: ReturnType<typeof row>) => void) {
  const pool = ctx.pool(CONCURRENCY + 6);
  const schema = await runtimeSchema(ctx, 'jobschain', pool);
  const timings = new Map<string, ExecutionTiming>();
  const runtime = await startJobRuntime({
    pool,
    schema,
    catalog: new BenchCatalog([chainJob(CHAIN_JOB, CHAIN_LENGTH)]),
    executor: new NoopExecutor((t) => timings.set(t.taskId, t)),
    concurrency: CONCURRENCY,
    scheduler: false,
    migrate: false,
  });
  const delays: number[] = [];
  try {
    // A warm-up chain, then the measured one.
    for (const round of ['warm-up', 'measured']) {
      timings.clear();
      await runtime.triggerRun({ job: CHAIN_JOB, requestedBy: 'bench', idempotencyKey: round });
      await waitFor(`chain ${round}`, 120_000, () =>
        Promise.resolve(timings.has(taskOfChain(CHAIN_LENGTH - 1))),
      );
    }
    for (let i = 1; i < CHAIN_LENGTH; i++) {
      const upstream = timings.get(taskOfChain(i - 1));
      const task = timings.get(taskOfChain(i));
      if (!upstream || !task) throw new Error(`chain link ${i} was not executed`);
      delays.push(task.startedAt - upstream.finishedAt);
    }
  } finally {
    await runtime.stop(5_000);
  }
  await graphileWorkerChainDelays(ctx, 10); // warm-up
  const baseline = await graphileWorkerChainDelays(ctx, CHAIN_LENGTH);
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  ctx.log(
    `  scheduling.dag.latency: p50 ${ms(percentile(delays, 50))}, p99 ${ms(percentile(delays, 99))}; graphile-worker p50 ${ms(percentile(baseline, 50))}, p99 ${ms(percentile(baseline, 99))}`,
  );
  emit(row('scheduling.dag.latency', 'ms', percentile(delays, 50), percentile(baseline, 50)));
  emit(row('scheduling.dag.latency.p99', 'ms', percentile(delays, 99), percentile(baseline, 99)));
}

interface ChildRuntime {
  readonly child: ChildProcess;
  readonly executions: { runId: string; attempt: number; startedAt: number; instance: string }[];
  readonly exited: Promise<void>;
}

const startCronChild = (
  ctx: BenchContext,
  schema: string,
  jobs: number,
  instance: string,
): Promise<ChildRuntime> => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...cpuProfileArgs(), join(__dirname, 'job-runtime.child.ts')],
    {
      env: {
        ...process.env,
        BENCH_DATABASE_URL: ctx.databaseUrl,
        BENCH_SCHEMA: schema,
        BENCH_JOBS: String(jobs),
        BENCH_INSTANCE: instance,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const executions: ChildRuntime['executions'] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line === 'ready') resolve({ child, executions, exited });
      else if (line.startsWith('x ')) {
        const [, runId, , attempt, startedAt] = line.split(' ');
        executions.push({
          runId: runId!,
          attempt: Number(attempt),
          startedAt: Number(startedAt),
          instance,
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`cron runtime ${instance} exited (${code})`)));
  });
};

/**
 * scheduling.cron.fire: 1,000 every-minute schedules over two scheduler processes for three
 * minutes (one in a quick run): p99 lag from the slot's nominal time to its task's execution;
 * baseline
 * a bare setTimeout scheduler run alongside in this process. Then the counts of slots fired twice
 * and of due slots never fired, from the executions the processes report (not from the runtime's
 * own tables).
 */
async function cronRows(ctx: BenchContext, emit: (r: ReturnType<typeof row>) => void) {
  const jobs = 1_000;
  const minutes = ctx.sizes.quick ? 1 : 3;
  const pool = ctx.pool(4);
  const schema = await runtimeSchema(ctx, 'jobscron', pool);
  const children = [
    await startCronChild(ctx, schema, jobs, 'cron-a'),
    await startCronChild(ctx, schema, jobs, 'cron-b'),
  ];
  const minute = 60_000;
  // The first whole minute at least 10 s away, so both processes have read their schedules.
  const firstSlot = Math.ceil((wallClock() + 10_000) / minute) * minute;
  const lastSlot = firstSlot + (minutes - 1) * minute;
  let baselineLags: number[];
  try {
    ctx.log(
      `  scheduling.cron.fire: ${jobs} schedules × ${minutes} min over 2 processes, first slot ${new Date(firstSlot).toISOString()}`,
    );
    const [lags] = await Promise.all([
      (async () => {
        await sleep(firstSlot - wallClock() - 1_000);
        return setTimeoutCronLags(jobs, minutes);
      })(),
      sleep(lastSlot + 20_000 - wallClock()),
    ]);
    baselineLags = lags;
  } finally {
    for (const c of children) c.child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
  }
  const { rows } = await pool.query<{
    run_id: string;
    job: string;
    nominal: string;
    started: string | null;
  }>(
    `SELECT run_id, job, (extract(epoch FROM nominal_time) * 1000)::bigint::text AS nominal,
            (extract(epoch FROM started_at) * 1000)::text AS started
       FROM "${schema}".job_runs
      WHERE nominal_time BETWEEN to_timestamp($1 / 1000.0) AND to_timestamp($2 / 1000.0)`,
    [firstSlot, lastSlot],
  );
  const slotOfRun = new Map(rows.map((r) => [r.run_id, `${r.job}@${r.nominal}`]));
  // Fired = the slot's task started executing. The run's recorded start (the tick's own clock
  // reading as it inserts the slot) is logged beside it, not measured.
  const runLags = rows.flatMap((r) =>
    r.started === null ? [] : [Number(r.started) - Number(r.nominal)],
  );
  const firesBySlot = new Map<string, number>();
  const lags: number[] = [];
  const lagsByMinute = new Map<number, number[]>();
  for (const c of children)
    for (const x of c.executions) {
      const slot = slotOfRun.get(x.runId);
      if (slot === undefined) continue; // a slot outside the measured minutes
      firesBySlot.set(slot, (firesBySlot.get(slot) ?? 0) + 1);
      const nominal = Number(slot.split('@')[1]);
      lags.push(x.startedAt - nominal);
      const minuteLags = lagsByMinute.get(nominal) ?? [];
      minuteLags.push(x.startedAt - nominal);
      lagsByMinute.set(nominal, minuteLags);
    }
  ctx.log(
    `  scheduling.cron.fire: p99 per minute ${[...lagsByMinute.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, xs]) => `${percentile(xs, 99).toFixed(1)} ms`)
      .join(', ')}`,
  );
  let doubleFires = 0;
  for (const n of firesBySlot.values()) if (n > 1) doubleFires += n - 1;
  let missed = 0;
  for (let i = 0; i < jobs; i++)
    for (let slot = firstSlot; slot <= lastSlot; slot += minute)
      if (!firesBySlot.has(`${cronJobName(i)}@${slot}`)) missed++;
  const share = children.map((c) => `${c.child.pid}: ${c.executions.length}`).join(', ');
  ctx.log(
    `  scheduling.cron.fire: ${lags.length} tasks executed (by process ${share}), p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms (runs recorded started: p99 ${percentile(runLags, 99).toFixed(1)} ms); setTimeout p50 ${percentile(baselineLags, 50).toFixed(1)} ms, p99 ${percentile(baselineLags, 99).toFixed(1)} ms`,
  );
  emit(row('scheduling.cron.fire', 'ms', percentile(lags, 99), percentile(baselineLags, 99)));
  emit(row('scheduling.cron.double_fires', 'count', doubleFires, 0));
  emit(row('scheduling.cron.missed_fires', 'count', missed, 0));
}

/** The light team's waits (ms from its run's creation to its task's start), from the runtime's rows. */
const lightWaits = async (pool: Pool, schema: string, job: string): Promise<number[]> => {
  const { rows } = await pool.query<{ wait: string }>(
    `SELECT (extract(epoch FROM t.started_at - r.created_at) * 1000)::text AS wait
       FROM "${schema}".job_task_runs t JOIN "${schema}".job_runs r ON r.run_id = t.run_id
      WHERE r.job = $1 AND t.started_at IS NOT NULL`,
    [job],
  );
  return rows.map((r) => Number(r.wait));
};

/**
 * scheduling.fairness: one team floods 100,000 runs (20,000 in a quick run) over 1,000 jobs while
 * a light team triggers 20 runs a second; the light team's p99 wait alone against its p99 wait
 * with the flood queued ahead of it (ratio = alone / with flood). The runtime dispatches with the
 * weighted fair-share policy (libs/scheduling/domain/src/jobs/capacity), 24 workers.
 */
async function fairnessRow(ctx: BenchContext, emit: (r: ReturnType<typeof row>) => void) {
  const keys = 1_000;
  const flood = ctx.sizes.quick ? 20_000 : 100_000;
  const lightRate = 20;
  const lightMs = ctx.sizes.quick ? 5_000 : 10_000;
  const floodJob = (i: number) => `flood.keys.k${String(i).padStart(4, '0')}`;
  const lightJob = 'light.steady.job';
  const catalog = new BenchCatalog([
    singleTaskJob(lightJob),
    ...Array.from({ length: keys }, (_, i) => singleTaskJob(floodJob(i))),
  ]);
  const policy = createFairSharePolicy();
  const measure = async (label: string, withFlood: boolean): Promise<number[]> => {
    const pool = ctx.pool(CONCURRENCY + 6);
    const schema = await runtimeSchema(ctx, label, pool);
    if (withFlood) {
      const feeder = await startJobRuntime({
        pool,
        schema,
        catalog,
        executor: new NoopExecutor(),
        concurrency: 0,
        scheduler: false,
        migrate: false,
      });
      for (let i = 0; i < flood; i += 1_000)
        await feeder.triggerRuns(
          Array.from({ length: Math.min(1_000, flood - i) }, (_, j) => ({
            job: floodJob((i + j) % keys),
            requestedBy: 'bench',
          })),
        );
      await waitFor('admission of the flood', 600_000, async () => {
        const { rows } = await pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${schema}".job_task_runs WHERE status = 'ready'`,
        );
        return Number(rows[0]?.n) >= flood;
      });
      await feeder.stop(0);
    }
    const runtime = await startJobRuntime({
      pool,
      schema,
      catalog,
      executor: new NoopExecutor(),
      concurrency: CONCURRENCY,
      scheduler: false,
      migrate: false,
      policy,
    });
    try {
      await sleep(ctx.sizes.warmupMs);
      const started = performance.now();
      let submitted = 0;
      while (performance.now() - started < lightMs) {
        await runtime.triggerRun({ job: lightJob, requestedBy: 'bench' });
        submitted++;
        await sleep(started + (submitted * 1000) / lightRate - performance.now());
      }
      await waitFor(`the light team's runs (${label})`, 300_000, async () => {
        const { rows } = await pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${schema}".job_task_runs
            WHERE job = $1 AND started_at IS NOT NULL`,
          [lightJob],
        );
        return Number(rows[0]?.n) >= submitted;
      });
    } finally {
      await runtime.stop(5_000);
    }
    return lightWaits(pool, schema, lightJob);
  };
  const alone = await measure('jobsfairalone', false);
  const flooded = await measure('jobsfairflood', true);
  const ms = (xs: number[], q: number) => `${percentile(xs, q).toFixed(1)} ms`;
  ctx.log(
    `  scheduling.fairness: light team alone p50 ${ms(alone, 50)}, p99 ${ms(alone, 99)} (${alone.length} runs); with ${flood} flood runs over ${keys} jobs queued ahead p50 ${ms(flooded, 50)}, p99 ${ms(flooded, 99)} (${flooded.length} runs)`,
  );
  emit(row('scheduling.fairness', 'ms', percentile(flooded, 99), percentile(alone, 99)));
}

export const jobsBenches: BenchArea = {
  area: 'jobs',
  rows: [
    'scheduling.dispatch',
    'scheduling.dispatch.pg-boss',
    'scheduling.dag.latency',
    'scheduling.dag.latency.p99',
    'scheduling.cron.fire',
    'scheduling.cron.double_fires',
    'scheduling.cron.missed_fires',
    'scheduling.fairness',
  ],
  async run(ctx, only, emit) {
    if (only('scheduling.dispatch')) await dispatchRows(ctx, emit);
    if (only('scheduling.dag')) await dagLatencyRows(ctx, emit);
    if (only('scheduling.cron')) await cronRows(ctx, emit);
    if (only('scheduling.fairness')) await fairnessRow(ctx, emit);
  },
};
