import { performance } from 'node:perf_hooks';
import { Logger, makeWorkerUtils, run, type Runner } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { percentile, sleep, wallClock, type BenchContext } from './bench-harness';

/**
 * The peers the batch-job rows are measured against (issue 12), on the same PostgreSQL in the same
 * run, each in a schema of this run dropped at the end. They are installed for the bench only
 * (bench/package.json).
 */

/** Keeps this many jobs queued ahead of the workers, so a window measures dispatch, not the feed. */
const BACKLOG = 20_000;

/**
 * graphile-worker running no-op jobs with `concurrency` workers: jobs completed per second over
 * the window, from a backlog queued before the window (`addJobs` in batches of 1,000).
 */
export async function graphileWorkerDispatch(
  ctx: BenchContext,
  concurrency: number,
): Promise<number> {
  const schema = ctx.schema('graphile');
  const utils = await makeWorkerUtils({ connectionString: ctx.databaseUrl, schema });
  try {
    await utils.migrate();
    const jobs = Math.max(
      BACKLOG,
      Math.ceil((concurrency * 400 * (ctx.sizes.warmupMs + ctx.sizes.windowMs)) / 1000),
    );
    for (let i = 0; i < jobs; i += 1_000)
      await utils.addJobs(
        Array.from({ length: Math.min(1_000, jobs - i) }, (_, j) => ({
          identifier: 'noop',
          payload: { i: i + j },
        })),
      );
    let completed = 0;
    const runner: Runner = await run({
      connectionString: ctx.databaseUrl,
      schema,
      concurrency,
      noHandleSignals: true,
      pollInterval: 1_000,
      logger: quietGraphileLogger(),
      taskList: {
        noop: () => {
          completed++;
          return Promise.resolve();
        },
      },
    });
    try {
      await sleep(ctx.sizes.warmupMs);
      const before = completed;
      const start = performance.now();
      await sleep(ctx.sizes.windowMs);
      const done = completed - before;
      const seconds = (performance.now() - start) / 1000;
      if (completed >= jobs)
        ctx.log('  graphile-worker drained its backlog inside the window: the rate is a floor');
      return done / seconds;
    } finally {
      await runner.stop();
    }
  } finally {
    await utils.release();
  }
}

/**
 * pg-boss (reference row): `concurrency` workers fetching batches of 100 (a pg-boss worker waits
 * its polling interval after every fetch, so one job per fetch caps it near 2 jobs/s a worker).
 */
export async function pgBossDispatch(ctx: BenchContext, concurrency: number): Promise<number> {
  const schema = ctx.schema('pgboss');
  const boss = new PgBoss({ connectionString: ctx.databaseUrl, schema, max: concurrency + 4 });
  boss.on('error', (error) => ctx.log(`  pg-boss: ${String(error)}`));
  await boss.start();
  try {
    const queue = 'noop';
    await boss.createQueue(queue);
    const jobs = BACKLOG;
    for (let i = 0; i < jobs; i += 1_000)
      await boss.insert(
        Array.from({ length: Math.min(1_000, jobs - i) }, (_, j) => ({
          name: queue,
          data: { i: i + j },
        })),
      );
    let completed = 0;
    for (let w = 0; w < concurrency; w++)
      await boss.work(queue, { batchSize: 100, pollingIntervalSeconds: 0.5 }, (batch) => {
        completed += batch.length;
        return Promise.resolve();
      });
    await sleep(ctx.sizes.warmupMs);
    const before = completed;
    const start = performance.now();
    await sleep(ctx.sizes.windowMs);
    const done = completed - before;
    return done / ((performance.now() - start) / 1000);
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 5_000 });
  }
}

/**
 * graphile-worker's hand-off: a chain of `length` jobs, each enqueueing the next as its last act.
 * Delay = the next job's start − the moment its upstream finished its work (just before the
 * enqueue), in ms, for every link.
 */
export async function graphileWorkerChainDelays(
  ctx: BenchContext,
  length: number,
): Promise<number[]> {
  const schema = ctx.schema('graphilechain');
  const utils = await makeWorkerUtils({ connectionString: ctx.databaseUrl, schema });
  await utils.migrate();
  const finishedAt: number[] = [];
  const delays: number[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const runner = await run({
    connectionString: ctx.databaseUrl,
    schema,
    concurrency: 4,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: quietGraphileLogger(),
    taskList: {
      link: async (payload, helpers) => {
        const started = wallClock();
        const { i } = payload as { i: number };
        if (i > 0) delays.push(started - (finishedAt[i - 1] as number));
        finishedAt[i] = wallClock();
        if (i + 1 < length) await helpers.addJob('link', { i: i + 1 });
        else resolveDone();
      },
    },
  });
  try {
    await utils.addJob('link', { i: 0 });
    await withTimeout(done, 120_000, 'graphile-worker chain');
    return delays;
  } finally {
    await runner.stop();
    await utils.release();
  }
}

/**
 * The bare scheduler the cron row compares against: one process, one `setTimeout` per schedule
 * to its next minute boundary, re-armed after each fire. Lag = fire time − nominal time, in ms.
 */
export async function setTimeoutCronLags(schedules: number, minutes: number): Promise<number[]> {
  const lags: number[] = [];
  const minute = 60_000;
  const firstSlot = Math.ceil(wallClock() / minute) * minute;
  const lastSlot = firstSlot + (minutes - 1) * minute;
  await Promise.all(
    Array.from(
      { length: schedules },
      () =>
        new Promise<void>((resolve) => {
          const arm = (slot: number) =>
            setTimeout(() => {
              lags.push(wallClock() - slot);
              if (slot >= lastSlot) resolve();
              else arm(slot + minute);
            }, slot - wallClock());
          arm(firstSlot);
        }),
    ),
  );
  return lags;
}

export const p = (values: readonly number[], q: number): number => percentile(values, q);

const withTimeout = async <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

/** graphile-worker logs every job; a bench wants none of it (errors still surface as failures). */
const quietGraphileLogger = () => new Logger(() => () => undefined);
