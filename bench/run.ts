// Trainyard benchmarks: each row against a baseline measured in the same run (see bench/README.md).
//   npm run bench               full run (1M-event stores, 5 s windows, 20 s e2e)
//   npm run bench -- --quick    under 3 minutes (200k-event stores, 2 s windows, 8 s e2e)
//   npm run bench -- --only append.single,read    only rows whose name starts with one of these
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Pool } from 'pg';
import {
  ensureDatabase,
  kafkaIsUp,
  redact,
  startLocalKafka,
  stopLocalKafka,
} from '@trainyard/infra';
import { appendBenches } from './append.bench';
import { e2eBenches } from './e2e.bench';
import {
  BenchContext,
  FULL_SIZES,
  QUICK_SIZES,
  type BenchArea,
  type BenchResult,
  type BenchSizes,
} from './bench-harness';
import { planningBenches } from './planning.bench';
import { readBenches } from './read.bench';
import { relayBenches } from './relay.bench';
import { schedulingBenches } from './scheduling.bench';
import { complianceBenches } from './compliance.bench';
import { complianceLedgerBenches } from './compliance-ledger.bench';
import { sealBenches } from './seal.bench';
import { jobsBenches } from './jobs.bench';

const AREAS: readonly BenchArea[] = [
  appendBenches,
  sealBenches,
  readBenches,
  relayBenches,
  e2eBenches,
  planningBenches,
  schedulingBenches,
  complianceBenches,
  complianceLedgerBenches,
  jobsBenches,
];

/** Ratio targets (value against baseline, higher is better for every row once ratios are oriented). */
const TARGETS: Readonly<Record<string, number>> = {
  'append.single.w1': 0.85,
  'append.single.w16': 0.85,
  'append.batch100': 0.75,
  'append.growth': 0.9,
  'read.catchup': 0.5,
  'relay.kafka': 0.5,
  'e2e.p99': 0.5,
  'planning.command.w16': 0.5,
  'planning.allocate.scaling': 0.7,
  'scheduling.preview': 0.5,
  'scheduling.place.scaling': 0.7,
  'compliance.evaluate': 0.5,
  'compliance.ledger.ingest': 0.3,
  'scheduling.dispatch': 1.0,
  'scheduling.dag.latency': 1.0,
  'scheduling.cron.fire': 0.5,
  // Counts that must be 0: ratio 1 when they are.
  'scheduling.cron.double_fires': 1,
  'scheduling.cron.missed_fires': 1,
  'scheduling.fairness': 0.5,
};

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/trainyard_bench';

process.removeAllListeners('warning');
process.on('warning', (warning) => log(`${warning.name}: ${warning.message}`));

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function args(): { sizes: BenchSizes; only: (row: string) => boolean } {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, only: { type: 'string' } },
    strict: true,
  });
  const prefixes =
    values.only
      ?.split(',')
      .map((p) => p.trim())
      .filter(Boolean) ?? [];
  return {
    sizes: values.quick ? QUICK_SIZES : FULL_SIZES,
    only: (row) => prefixes.length === 0 || prefixes.some((p) => row.startsWith(p)),
  };
}

/**
 * Two runs at once skew each other twice over: they share the CPUs, and a long transaction of one
 * (seeding, sealing) holds back the commit frontier of every subscription in the same database,
 * so the other's relay and catch-up wait. A session advisory lock, held until the run ends,
 * makes a second run wait for the first.
 */
async function exclusiveRun(databaseUrl: string): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'trainyard-bench' });
  await client.connect();
  const key = ['trainyard.bench.run'];
  const { rows } = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
    key,
  );
  if (!rows[0]?.locked) {
    log('another benchmark run is using this database: waiting for it to finish');
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', key);
  }
  return client;
}

async function machine(
  databaseUrl: string,
  brokers: readonly string[],
): Promise<Record<string, unknown>> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{
      version: string;
      synchronous_commit: string;
      shared_buffers: string;
      fsync: string;
    }>(
      `SELECT version(), current_setting('synchronous_commit') AS synchronous_commit,
              current_setting('shared_buffers') AS shared_buffers, current_setting('fsync') AS fsync`,
    );
    const pg = rows[0];
    return {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      // Other work on the machine skews every row; the 1-minute load average at the end of the run says how much.
      loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
      os: `${process.platform} ${release()}`,
      node: process.version,
      postgres: pg?.version,
      postgresSettings: {
        synchronous_commit: pg?.synchronous_commit,
        fsync: pg?.fsync,
        shared_buffers: pg?.shared_buffers,
      },
      database: redact(databaseUrl),
      kafkaBrokers: brokers,
    };
  } finally {
    await pool.end();
  }
}

function format(value: number, unit: BenchResult['unit']): string {
  if (!Number.isFinite(value)) return String(value);
  return unit === 'ms' ? value.toFixed(2) : Math.round(value).toLocaleString('en');
}

function table(results: readonly BenchResult[]): string {
  const header = ['row', 'unit', 'value', 'baseline', 'ratio', 'target', ''];
  const lines = results.map((r) => {
    const target = TARGETS[r.name];
    const verdict = target === undefined ? '' : r.ratio >= target ? 'ok' : 'MISSED';
    return [
      r.name,
      r.unit,
      format(r.value, r.unit),
      format(r.baseline, r.unit),
      r.ratio.toFixed(2),
      target === undefined ? '' : `≥${target}`,
      verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i === 0 || i === 1 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join(
    '\n',
  );
}

async function main(): Promise<number> {
  const { sizes, only } = args();
  const startedAt = new Date().toISOString();
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  await ensureDatabase(databaseUrl, log);
  const runLock = await exclusiveRun(databaseUrl);
  const started = performance.now(); // after any wait for another run
  let startedKafka = false;
  if (!(await kafkaIsUp(brokers[0]!))) {
    log(`no Kafka broker on ${brokers[0]}: starting a local one`);
    startedKafka = (await startLocalKafka({ broker: brokers[0]!, log })).started;
  }
  const results: BenchResult[] = [];
  let failed = false;
  const ctx = new BenchContext(databaseUrl, brokers, sizes, log);
  try {
    for (const area of AREAS) {
      if (!area.rows.some(only)) continue;
      const areaStarted = performance.now();
      log(`${area.area}: ${area.rows.filter(only).join(', ')}`);
      try {
        await area.run(ctx, only, (result) => results.push(result));
      } catch (error) {
        failed = true;
        log(
          `${area.area} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      log(`${area.area}: done in ${((performance.now() - areaStarted) / 1000).toFixed(1)} s`);
    }
    await ctx.dispose();
    const report = {
      results,
      machine: { ...(await machine(databaseUrl, brokers)), mode: sizes.quick ? 'quick' : 'full' },
      startedAt,
    };
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${table(results)}\n\n`);
    log(
      `${sizes.quick ? 'quick' : 'full'} run in ${((performance.now() - started) / 1000).toFixed(1)} s; wrote bench/results/latest.json`,
    );
  } finally {
    await ctx.dispose();
    if (startedKafka) await stopLocalKafka({ broker: brokers[0]! });
    await runLock.end();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
