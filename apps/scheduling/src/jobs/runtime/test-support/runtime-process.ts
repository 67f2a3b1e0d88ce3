import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { startJobRuntime } from '../start-job-runtime';
import { FunctionExecutor } from './function-executor';
import { ManifestCatalog } from './manifest-catalog';

/**
 * One scheduler instance as its own process (the HA test and the cron bench fork this): only the
 * job runtime, against DATABASE_URL / RUNTIME_SCHEMA, with the manifests of the JSON file
 * RUNTIME_MANIFESTS (`[{ input }]`) and the in-process test executor. Prints `ready`
 * once started; SIGTERM stops it gracefully.
 */
const main = async () => {
  const env = (name: string, fallback?: string): string => {
    const value = process.env[name] ?? fallback;
    if (value === undefined) throw new Error(`${name} is required`);
    return value;
  };
  const entries = JSON.parse(readFileSync(env('RUNTIME_MANIFESTS'), 'utf8')) as {
    input: unknown;
  }[];
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 10 });
  const runtime = await startJobRuntime({
    pool,
    schema: env('RUNTIME_SCHEMA'),
    catalog: new ManifestCatalog(entries),
    executor: new FunctionExecutor(),
    instanceId: env('RUNTIME_INSTANCE_ID'),
    concurrency: Number(env('RUNTIME_CONCURRENCY', '24')),
    leaseMs: Number(env('RUNTIME_LEASE_MS', '30000')),
    idleMs: Number(env('RUNTIME_IDLE_MS', '1000')),
    onTimeGraceMs: Number(env('RUNTIME_ON_TIME_GRACE_MS', '30000')),
    lookaheadMs: Number(env('RUNTIME_LOOKAHEAD_MS', '2000')),
    preclaimGraceMs: Number(env('RUNTIME_PRECLAIM_GRACE_MS', '5000')),
    preclaimMarginMs: Number(env('RUNTIME_PRECLAIM_MARGIN_MS', '2000')),
    migrate: env('RUNTIME_MIGRATE', 'false') === 'true',
    onError: (error) => process.stderr.write(`runtime error: ${String(error)}\n`),
  });
  process.stdout.write('ready\n');
  const stop = () => {
    void runtime
      .stop(5_000)
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
};

main().catch((error: unknown) => {
  process.stderr.write(`runtime process failed: ${String(error)}\n`);
  process.exit(1);
});
