import type { Pool } from 'pg';
import { benchEvent, createPlainTable, plainRow } from './bench-events';
import {
  compareInterleaved,
  row,
  type BenchArea,
  type BenchContext,
  type BenchResult,
} from './bench-harness';
import { largeStore, reportSealer, withBenchStore, type BenchStore } from './bench-store';

const PLAIN_COLUMNS = '(stream_id, stream_version, event_type, schema_version, data, metadata)';

/**
 * The store as the platform's services create it: with group commit (ADR 0014). The baselines
 * stay one INSERT statement, one transaction, per operation.
 */
const AS_A_SERVICE = { groupCommit: true } as const;

/** Units done by one operation of `worker`; state (stream versions) lives across rounds. */
type Op = (worker: number) => Promise<number>;

/**
 * Each writer appends `batch` events at a time to its own stream, passing the expected version a
 * command handler would pass. `label` keeps the streams of different measurements apart.
 */
function storeAppends(
  ctx: BenchContext,
  bench: BenchStore,
  label: string,
  writers: number,
  batch: number,
): Op {
  const versions = Array.from({ length: writers }, () => 0);
  let n = 0;
  return async (w) => {
    const events = Array.from({ length: batch }, () => benchEvent(n++));
    const result = await bench.store.append(
      `workload-${ctx.runId}-${label}-${w}`,
      events,
      versions[w] ?? 0,
    );
    versions[w] = result.nextExpectedVersion;
    return batch;
  };
}

/** One INSERT statement of `batch` rows per operation (so one transaction), prepared like the store's statements. */
function plainInserts(pool: Pool, table: string, writers: number, batch: number): Op {
  const tuples = Array.from({ length: batch }, (_, i) => {
    const p = i * 6;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}::jsonb, $${p + 6}::jsonb)`;
  });
  const text = `INSERT INTO ${table} ${PLAIN_COLUMNS} VALUES ${tuples.join(', ')} RETURNING id`;
  const versions = Array.from({ length: writers }, () => 0);
  let n = 0;
  return async (w) => {
    const values = Array.from({ length: batch }, () =>
      plainRow(`workload-${w}`, ++versions[w]!, benchEvent(n++)),
    ).flat();
    await pool.query({ name: `plain_insert_${batch}`, text, values });
    return batch;
  };
}

async function withPlainTable<T>(
  ctx: BenchContext,
  label: string,
  connections: number,
  body: (pool: Pool, table: string) => Promise<T>,
): Promise<T> {
  const pool = ctx.pool(connections);
  try {
    return await body(pool, await createPlainTable(pool, ctx.schema(label)));
  } finally {
    await ctx.closePool(pool);
  }
}

async function appendRow(
  ctx: BenchContext,
  name: string,
  label: string,
  writers: number,
  batch: number,
): Promise<BenchResult> {
  return withPlainTable(ctx, `plain_${label}`, writers, (pool, table) =>
    withBenchStore(
      ctx,
      label,
      writers,
      async (bench) => {
        const plain = plainInserts(pool, table, writers, batch);
        const store = storeAppends(ctx, bench, label, writers, batch);
        // Slices, not windows of seconds: a single writer's rate is the cluster's commit latency,
        // which other work on the machine moves by a factor of several within seconds (README). The
        // sealer runs through both sides' slices, as it runs beside a service's appends; its work
        // after a store slice falls on a baseline and a store slice equally often (B V V B).
        const { baseline, value } = await bench.sealing(() =>
          compareInterleaved(ctx, name, writers, plain, store),
        );
        await reportSealer(ctx, name, bench);
        return row(name, 'events/s', value, baseline);
      },
      AS_A_SERVICE,
    ),
  );
}

/**
 * The w16 single-append measurement on the run's large store, against the same on a fresh empty
 * store, in alternating slices as the other append rows (README: windows of seconds, empty then
 * large, compared the cluster's commit latency at two moments). Both stores' sealers run through
 * the whole comparison, as each runs beside its service's appends; B V V B puts what one leaves
 * behind on both sides alike.
 */
async function growth(ctx: BenchContext): Promise<BenchResult> {
  const writers = 16;
  const large = await largeStore(ctx);
  return withBenchStore(
    ctx,
    'growth_empty',
    writers,
    async (empty) => {
      const { baseline, value } = await empty.sealing(() =>
        large.sealing(() =>
          compareInterleaved(
            ctx,
            'append.growth',
            writers,
            storeAppends(ctx, empty, 'empty', writers, 1),
            storeAppends(ctx, large, 'growth', writers, 1),
          ),
        ),
      );
      await reportSealer(ctx, 'append.growth', large);
      return row('append.growth', 'events/s', value, baseline);
    },
    AS_A_SERVICE,
  );
}

export const appendBenches: BenchArea = {
  area: 'append',
  rows: ['append.single.w1', 'append.single.w16', 'append.batch100', 'append.growth'],
  async run(ctx, only, emit) {
    if (only('append.single.w1')) emit(await appendRow(ctx, 'append.single.w1', 'single_w1', 1, 1));
    if (only('append.single.w16'))
      emit(await appendRow(ctx, 'append.single.w16', 'single_w16', 16, 1));
    if (only('append.batch100')) emit(await appendRow(ctx, 'append.batch100', 'batch100', 1, 100));
    if (only('append.growth')) emit(await growth(ctx));
  },
};
