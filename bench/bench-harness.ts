import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { createKafkaMessageBus, type MessageBus } from '@trainyard/messaging';

/** One row of the results: `ratio` is filled in by `row()` so every file computes it the same way. */
export interface BenchResult {
  readonly name: string;
  readonly unit: 'events/s' | 'instants/s' | 'evaluations/s' | 'ms' | 'count';
  readonly value: number;
  readonly baseline: number;
  readonly ratio: number;
}

/** A group of rows that share setup (schemas, topics, seeded data). */
export interface BenchArea {
  readonly area: string;
  readonly rows: readonly string[];
  /** Emits each row as soon as it is measured, so a later failure keeps the rows before it. */
  run(
    ctx: BenchContext,
    only: (row: string) => boolean,
    emit: (result: BenchResult) => void,
  ): Promise<void>;
}

export interface BenchSizes {
  readonly quick: boolean;
  /** Baseline and value are measured alternately this many times each and the medians compared (drift and other load). */
  readonly rounds: number;
  /** Untimed run before every measured phase. */
  readonly warmupMs: number;
  /** Length of every measured time window. */
  readonly windowMs: number;
  /** Events already stored for append.growth and read.catchup. */
  readonly largeStore: number;
  /** Stored backlog the relay publishes from during relay.kafka. */
  readonly relayBacklog: number;
  /** e2e.p99 steady-rate phase. */
  readonly e2eRate: number;
  readonly e2eMs: number;
}

export const FULL_SIZES: BenchSizes = {
  quick: false,
  rounds: 3,
  warmupMs: 2_000,
  windowMs: 5_000,
  largeStore: 1_000_000,
  relayBacklog: 600_000,
  e2eRate: 500,
  e2eMs: 20_000,
};

export const QUICK_SIZES: BenchSizes = {
  quick: true,
  rounds: 1,
  warmupMs: 1_000,
  windowMs: 2_000,
  largeStore: 200_000,
  relayBacklog: 100_000,
  e2eRate: 500,
  e2eMs: 8_000,
};

export function row(
  name: string,
  unit: BenchResult['unit'],
  value: number,
  baseline: number,
): BenchResult {
  // Throughput: more is better, so value / baseline; latency: less is better, so baseline / value;
  // a count of faults (baseline: the count allowed, 0): 1 when within it, else 0.
  const ratio =
    unit === 'count'
      ? value <= baseline
        ? 1
        : 0
      : unit === 'ms'
        ? baseline / value
        : value / baseline;
  return { name, unit, value, baseline, ratio };
}

/**
 * Everything a bench area needs, with cleanup: schemas and topics made here are dropped by
 * `dispose()`, whatever happened, so a run leaves nothing behind.
 */
export class BenchContext {
  readonly runId = randomBytes(3).toString('hex');
  readonly bus: MessageBus;
  private readonly kafka: Kafka;
  private readonly pools = new Set<Pool>();
  private readonly schemas: string[] = [];
  private readonly topics: string[] = [];
  private readonly disposers: (() => Promise<void>)[] = [];

  constructor(
    readonly databaseUrl: string,
    readonly brokers: readonly string[],
    readonly sizes: BenchSizes,
    readonly log: (line: string) => void,
  ) {
    this.bus = createKafkaMessageBus({ brokers, clientId: `trainyard-bench-${this.runId}` });
    this.kafka = new Kafka({
      clientId: `trainyard-bench-raw-${this.runId}`,
      brokers: [...brokers],
      logLevel: logLevel.NOTHING,
    });
  }

  /** A pool of exactly `max` connections (the store's signalling connections come on top, as in a service). */
  pool(max: number): Pool {
    const pool = new Pool({ connectionString: this.databaseUrl, max, idleTimeoutMillis: 0 });
    pool.on('error', () => undefined); // idle-connection errors surface on the next query instead
    this.pools.add(pool);
    return pool;
  }

  async closePool(pool: Pool): Promise<void> {
    this.pools.delete(pool);
    await pool.end();
  }

  /** A schema name unique to this run; created by the caller (migrations), dropped by dispose(). */
  schema(label: string): string {
    const name = `bench_${label}_${this.runId}`;
    this.schemas.push(name);
    return name;
  }

  async topic(label: string, partitions: number): Promise<string> {
    const name = `trainyard.bench.${label}.${this.runId}`;
    this.topics.push(name);
    await this.bus.admin().ensureTopics([{ topic: name, partitions }]);
    return name;
  }

  /** The same producer the message bus builds (idempotent, acks from all replicas, one request in flight), without the port. */
  async rawProducer(): Promise<Producer> {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return producer;
  }

  /** Runs at dispose(), latest first, before schemas are dropped and pools closed. */
  onDispose(disposer: () => Promise<void>): void {
    this.disposers.push(disposer);
  }

  async dispose(): Promise<void> {
    for (const disposer of this.disposers.splice(0).reverse()) {
      await disposer().catch((error: unknown) => this.log(`dispose: ${String(error)}`));
    }
    const admin = this.pool(1);
    for (const schema of this.schemas.splice(0)) {
      await admin
        .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        .catch((error: unknown) => this.log(`drop ${schema}: ${String(error)}`));
    }
    await Promise.all([...this.pools].map((pool) => pool.end().catch(() => undefined)));
    this.pools.clear();
    const topics = this.topics.splice(0);
    if (topics.length > 0) {
      const kafkaAdmin = this.kafka.admin();
      try {
        await kafkaAdmin.connect();
        await kafkaAdmin.deleteTopics({ topics, timeout: 10_000 });
      } catch (error) {
        this.log(`delete topics: ${String(error)}`);
      } finally {
        await kafkaAdmin.disconnect().catch(() => undefined);
      }
    }
  }
}

/**
 * Node arguments for a child process that `BENCH_CPU_PROF_DIR` asks to profile: `--cpu-prof` into
 * that directory (written when the child exits). For finding where a row's time goes.
 */
export function cpuProfileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Sub-millisecond wall-clock time, comparable between processes on this machine. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `workers` loops of `op` for warm-up + window and returns units per second over the window.
 * `op` returns how many units (events) it completed; only completions inside the window count.
 */
export async function measureWindow(
  sizes: Pick<BenchSizes, 'warmupMs' | 'windowMs'>,
  workers: number,
  op: (worker: number) => Promise<number>,
): Promise<number> {
  const state: { phase: 'warmup' | 'measure' | 'done'; units: number; failure?: Error } = {
    phase: 'warmup',
    units: 0,
  };
  const loops = Array.from({ length: workers }, async (_, worker) => {
    try {
      while (state.phase !== 'done') {
        const done = await op(worker);
        if (state.phase === 'measure') state.units += done;
      }
    } catch (error) {
      state.failure ??= error instanceof Error ? error : new Error(String(error));
      state.phase = 'done';
    }
  });
  await sleep(sizes.warmupMs);
  if (state.phase === 'warmup') state.phase = 'measure';
  state.units = 0;
  const start = performance.now();
  await sleep(sizes.windowMs);
  const measured = state.units;
  const seconds = (performance.now() - start) / 1000;
  state.phase = 'done';
  await Promise.all(loops);
  if (state.failure) throw state.failure;
  return measured / seconds;
}

/** Measures baseline, value, baseline, value, … (`sizes.rounds` each) and returns both medians. */
export async function compareRounds(
  ctx: BenchContext,
  name: string,
  baseline: () => Promise<number>,
  value: () => Promise<number>,
): Promise<{ baseline: number; value: number }> {
  const baselines: number[] = [];
  const values: number[] = [];
  for (let round = 0; round < ctx.sizes.rounds; round++) {
    baselines.push(await baseline());
    values.push(await value());
  }
  if (ctx.sizes.rounds > 1) {
    const list = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
    ctx.log(`  ${name}: rounds: baseline ${list(baselines)}; value ${list(values)}`);
  }
  return { baseline: percentile(baselines, 50), value: percentile(values, 50) };
}

/** Length of one slice of `compareInterleaved`. */
const SLICE_MS = 250;

/**
 * Baseline and value in short alternating slices, B V V B repeated, each side `sizes.rounds` ×
 * `sizes.windowMs` in all after one warm-up each. For rows whose rate swings with load outside the
 * run, such as a single writer, whose rate is the commit latency of the PostgreSQL cluster (one
 * WAL, shared by every database on it): windows of seconds, baseline then value, see different
 * conditions; slices a quarter of a second apart see nearly the same. The B V V B order gives each
 * side the other side as predecessor equally often, so what one slice leaves behind (a sealer
 * catching up) weighs on both alike. The baseline is its slices' mean rate, the value that times
 * the median of the blocks' ratios (value slices over baseline slices): a burst of other work
 * that hits one side of one block moves the ratio by one rank, not by its size. Logs the spread.
 */
export async function compareInterleaved(
  ctx: BenchContext,
  name: string,
  workers: number,
  baseline: (worker: number) => Promise<number>,
  value: (worker: number) => Promise<number>,
): Promise<{ baseline: number; value: number }> {
  await measureWindow({ warmupMs: 0, windowMs: ctx.sizes.warmupMs }, workers, baseline);
  await measureWindow({ warmupMs: 0, windowMs: ctx.sizes.warmupMs }, workers, value);
  const slice = { warmupMs: 0, windowMs: SLICE_MS };
  const blocks = Math.max(1, Math.round((ctx.sizes.rounds * ctx.sizes.windowMs) / (2 * SLICE_MS)));
  const ratios: number[] = [];
  const baselines: number[] = [];
  const values: number[] = [];
  for (let block = 0; block < blocks; block++) {
    const b1 = await measureWindow(slice, workers, baseline);
    const v1 = await measureWindow(slice, workers, value);
    const v2 = await measureWindow(slice, workers, value);
    const b2 = await measureWindow(slice, workers, baseline);
    ratios.push((v1 + v2) / (b1 + b2));
    baselines.push((b1 + b2) / 2);
    values.push((v1 + v2) / 2);
  }
  const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const spread = (xs: number[], digits: number) =>
    `median ${median(xs).toFixed(digits)}, ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
  ctx.log(
    `  ${name}: ${blocks} B V V B blocks of ${SLICE_MS} ms slices; per block: baseline ${spread(baselines, 0)}; value ${spread(values, 0)}; ratio ${spread(ratios, 2)}; ratio of the means ${(mean(values) / mean(baselines)).toFixed(2)}`,
  );
  return { baseline: mean(baselines), value: mean(baselines) * median(ratios) };
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** User + system CPU of process `pid` so far, ms, from `/proc/<pid>/stat` (clock ticks of 10 ms). */
export function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
