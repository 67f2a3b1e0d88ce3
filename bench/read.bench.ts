import { performance } from 'node:perf_hooks';
import { seedEvents } from './bench-events';
import { row, type BenchArea, type BenchContext, type BenchResult } from './bench-harness';
import { withBenchStore, type BenchStore } from './bench-store';

const BATCH = 500; // the subscription's default batch size, and the relay's

interface RawRow {
  readonly transaction_id: string;
  readonly position: string;
}

/**
 * The baseline reader: a plain keyset scan in the same batches, the same columns and the same
 * commit-order index, without the store's snapshot frontier, pending check and event mapping.
 * (`WHERE position > $1 ORDER BY position` would be the textbook scan, but `events` has no index
 * on position alone: every batch would be a sequential scan and a sort of the whole table.)
 * ORDER BY names the table's columns (`e.`): a bare `transaction_id` would mean the text output
 * column of the same name, sorting as text through a sequential scan.
 */
async function rawScan(bench: BenchStore, limit: number): Promise<number> {
  const text = `SELECT position, transaction_id::text AS transaction_id, stream_id, stream_version, event_type,
                       schema_version, data, metadata, recorded_at
                  FROM "${bench.schema}".events e
                 WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                 ORDER BY e.transaction_id, e.position
                 LIMIT $3`;
  let after: RawRow = { transaction_id: '0', position: '0' };
  let seen = 0;
  while (seen < limit) {
    const { rows } = await bench.pool.query<RawRow>({
      name: 'raw_scan',
      text,
      values: [after.transaction_id, after.position, BATCH],
    });
    seen += rows.length;
    const last = rows[rows.length - 1];
    if (!last || rows.length < BATCH) break;
    after = last;
  }
  return seen;
}

/** Subscribes from the start and resolves with how many events it saw once it has seen `limit`. */
async function catchUp(bench: BenchStore, limit: number): Promise<number> {
  let seen = 0;
  let reached!: () => void;
  const done = new Promise<void>((resolve) => (reached = resolve));
  const subscription = bench.store.subscribe({
    from: 'start',
    batchSize: BATCH,
    handler: async (batch) => {
      seen += batch.events.length;
      if (seen >= limit) reached();
      return Promise.resolve();
    },
  });
  try {
    await Promise.race([done, subscription.done]);
  } finally {
    await subscription.stop();
  }
  return seen;
}

async function timed(count: () => Promise<number>): Promise<{ events: number; rate: number }> {
  const started = performance.now();
  const events = await count();
  return { events, rate: events / ((performance.now() - started) / 1000) };
}

async function catchup(ctx: BenchContext): Promise<BenchResult> {
  return withBenchStore(
    ctx,
    'catchup',
    1,
    async (bench) => {
      const total = ctx.sizes.largeStore;
      const seeded = performance.now();
      await seedEvents(bench.pool, bench.schema, total);
      ctx.log(
        `  seeded ${total.toLocaleString('en')} events in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
      );
      // Warm-up: the heap into the OS cache, the index and both statements' plans into the server.
      await bench.pool.query(
        `SELECT count(*), sum(length(metadata::text)) FROM "${bench.schema}".events`,
      );
      const warm = Math.min(total, 50_000);
      await rawScan(bench, warm);
      await catchUp(bench, warm);
      const baseline = await timed(() => rawScan(bench, total));
      const value = await timed(() => catchUp(bench, total));
      if (baseline.events < total || value.events < total) {
        throw new Error(
          `read.catchup saw ${value.events} (raw scan: ${baseline.events}) of ${total} events`,
        );
      }
      return row('read.catchup', 'events/s', value.rate, baseline.rate);
    },
    { sealer: false },
  );
}

export const readBenches: BenchArea = {
  area: 'read',
  rows: ['read.catchup'],
  async run(ctx, only, emit) {
    if (only('read.catchup')) emit(await catchup(ctx));
  },
};
