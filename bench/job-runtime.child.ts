// One scheduler instance of the cron row as its own process: the real job runtime against
// BENCH_DATABASE_URL / BENCH_SCHEMA with BENCH_JOBS every-minute jobs and the no-op executor.
// Prints `ready`, then one line per execution: `x <runId> <taskId> <attempt> <startedAt ms>`.
// SIGTERM stops it gracefully.
import { Pool } from 'pg';
import { startJobRuntime } from '../apps/scheduling/src/scheduling.service';
import { BenchCatalog, NoopExecutor, cronJobName, everyMinuteJob } from './job-bench-support';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const main = async () => {
  const jobs = Number(env('BENCH_JOBS'));
  const pool = new Pool({ connectionString: env('BENCH_DATABASE_URL'), max: 12 });
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) process.stdout.write(lines.join(''));
    lines = [];
  };
  const flusher = setInterval(flush, 200);
  const runtime = await startJobRuntime({
    pool,
    schema: env('BENCH_SCHEMA'),
    catalog: new BenchCatalog(
      Array.from({ length: jobs }, (_, i) => everyMinuteJob(cronJobName(i))),
    ),
    executor: new NoopExecutor((t) =>
      lines.push(`x ${t.runId} ${t.taskId} ${t.attempt} ${t.startedAt.toFixed(3)}\n`),
    ),
    instanceId: env('BENCH_INSTANCE'),
    concurrency: 24,
    migrate: false,
    onError: (error) => process.stderr.write(`runtime error: ${String(error)}\n`),
  });
  process.stdout.write('ready\n');
  const stop = () => {
    void runtime
      .stop(5_000)
      .then(() => {
        clearInterval(flusher);
        flush();
        return pool.end();
      })
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
};

main().catch((error: unknown) => {
  process.stderr.write(`runtime child failed: ${String(error)}\n`);
  process.exit(1);
});
