import { benchEvent, createPlainTable, plainRow } from './bench-events';
import {
  measureWindow,
  row,
  type BenchArea,
  type BenchContext,
  type BenchResult,
} from './bench-harness';
import { largeStore, reportSealer, withBenchStore, type BenchStore } from './bench-store';

const PLAIN_COLUMNS = '(stream_id, stream_version, event_type, schema_version, data, metadata)';

/** Writers append one event at a time, each to its own stream, with the expected version a command handler would pass. */
async function storeSingleAppends(
  ctx: BenchContext,
  bench: BenchStore,
  writers: number,
  phase = 'a',
): Promise<number> {
  const versions = Array.from({ length: writers }, () => 0);
  const streams = versions.map((_, w) => `workload-${ctx.runId}-${phase}-${w}`);
  let n = 0;
  return measureWindow(ctx.sizes, writers, async (w) => {
    const result = await bench.store.append(streams[w]!, [benchEvent(n++)], versions[w] ?? 0);
    versions[w] = result.nextExpectedVersion;
    return 1;
  });
}

async function plainSingleInserts(
  ctx: BenchContext,
  label: string,
  writers: number,
): Promise<number> {
  const pool = ctx.pool(writers);
  try {
    const table = await createPlainTable(pool, ctx.schema(label));
    const text = `INSERT INTO ${table} ${PLAIN_COLUMNS} VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING id`;
    const versions = Array.from({ length: writers }, () => 0);
    let n = 0;
    return await measureWindow(ctx.sizes, writers, async (w) => {
      const version = ++versions[w]!;
      await pool.query({
        name: `plain1_${label}`,
        text,
        values: plainRow(`workload-${w}`, version, benchEvent(n++)),
      });
      return 1;
    });
  } finally {
    await ctx.closePool(pool);
  }
}

async function single(ctx: BenchContext, writers: number): Promise<BenchResult> {
  const name = `append.single.w${writers}`;
  const baseline = await plainSingleInserts(ctx, `plain_w${writers}`, writers);
  const value = await withBenchStore(ctx, `single_w${writers}`, writers, async (bench) => {
    const rate = await storeSingleAppends(ctx, bench, writers);
    await reportSealer(ctx, name, bench);
    return rate;
  });
  return row(name, 'events/s', value, baseline);
}

const BATCH = 100;

async function batch100(ctx: BenchContext): Promise<BenchResult> {
  const pool = ctx.pool(1);
  let baseline: number;
  try {
    const table = await createPlainTable(pool, ctx.schema('plain_batch'));
    const tuples = Array.from({ length: BATCH }, (_, i) => {
      const p = i * 6;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}::jsonb, $${p + 6}::jsonb)`;
    });
    const text = `INSERT INTO ${table} ${PLAIN_COLUMNS} VALUES ${tuples.join(', ')} RETURNING id`;
    let version = 0;
    let n = 0;
    baseline = await measureWindow(ctx.sizes, 1, async () => {
      const values = Array.from({ length: BATCH }, () =>
        plainRow('workload-batch', ++version, benchEvent(n++)),
      ).flat();
      await pool.query({ name: 'plain_batch', text, values });
      return BATCH;
    });
  } finally {
    await ctx.closePool(pool);
  }
  const value = await withBenchStore(ctx, 'batch100', 1, async (bench) => {
    const stream = `workload-${ctx.runId}-batch`;
    let version = 0;
    let n = 0;
    const rate = await measureWindow(ctx.sizes, 1, async () => {
      const events = Array.from({ length: BATCH }, () => benchEvent(n++));
      version = (await bench.store.append(stream, events, version)).nextExpectedVersion;
      return BATCH;
    });
    await reportSealer(ctx, 'append.batch100', bench);
    return rate;
  });
  return row('append.batch100', 'events/s', value, baseline);
}

/** The w16 single-append measurement on the run's large store, against the same on a fresh empty store. */
async function growth(ctx: BenchContext): Promise<BenchResult> {
  const writers = 16;
  const large = await largeStore(ctx);
  const baseline = await withBenchStore(ctx, 'growth_empty', writers, (bench) =>
    storeSingleAppends(ctx, bench, writers, 'empty'),
  );
  const value = await storeSingleAppends(ctx, large, writers, 'growth');
  await reportSealer(ctx, 'append.growth', large);
  return row('append.growth', 'events/s', value, baseline);
}

export const appendBenches: BenchArea = {
  area: 'append',
  rows: ['append.single.w1', 'append.single.w16', 'append.batch100', 'append.growth'],
  async run(ctx, only, emit) {
    if (only('append.single.w1')) emit(await single(ctx, 1));
    if (only('append.single.w16')) emit(await single(ctx, 16));
    if (only('append.batch100')) emit(await batch100(ctx));
    if (only('append.growth')) emit(await growth(ctx));
  },
};
