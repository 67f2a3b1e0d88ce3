import { performance } from 'node:perf_hooks';
import { row, type BenchArea, type BenchContext, type BenchResult } from './bench-harness';
import { largeStore, type BenchStore } from './bench-store';

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
async function rawScan(bench: BenchStore, limit: number, deadline = Infinity): Promise<number> {
  const text = `SELECT position, transaction_id::text AS transaction_id, stream_id, stream_version, event_type,
                       schema_version, data, metadata, recorded_at
                  FROM "${bench.schema}".events e
                 WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                 ORDER BY e.transaction_id, e.position
                 LIMIT $3`;
  let after: RawRow = { transaction_id: '0', position: '0' };
  let seen = 0;
  while (seen < limit && performance.now() < deadline) {
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

/** Subscribes from the start and resolves with how many events it saw once it has seen `limit` (or at the deadline). */
async function catchUp(bench: BenchStore, limit: number, deadline = Infinity): Promise<number> {
  let seen = 0;
  let reached!: () => void;
  const done = new Promise<void>((resolve) => (reached = resolve));
  const subscription = bench.store.subscribe({
    from: 'start',
    batchSize: BATCH,
    handler: async (batch) => {
      seen += batch.events.length;
      if (seen >= limit || performance.now() >= deadline) reached();
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

/** The longest a measured catch-up may take; beyond it the rate so far is reported (an overestimate if reads slow down with progress). */
const CATCHUP_LIMIT_MS = { quick: 45_000, full: 600_000 };

async function catchup(ctx: BenchContext): Promise<BenchResult> {
  const bench = await largeStore(ctx);
  const { rows } = await bench.pool.query<{ total: string }>(
    `SELECT count(*) AS total, sum(length(e.metadata::text)) AS bytes FROM "${bench.schema}".events e`,
  );
  const total = Number(rows[0]?.total ?? 0);
  // Warm-up (the count above also pulled the heap into the OS cache): both statements prepared and planned.
  const warm = ctx.sizes.warmupMs / 2;
  await rawScan(bench, total, performance.now() + warm);
  await catchUp(bench, total, performance.now() + warm);
  const baseline = await timed(() => rawScan(bench, total));
  const limitMs = ctx.sizes.quick ? CATCHUP_LIMIT_MS.quick : CATCHUP_LIMIT_MS.full;
  const value = await timed(() => catchUp(bench, total, performance.now() + limitMs));
  if (baseline.events < total)
    throw new Error(`read.catchup: the raw scan saw ${baseline.events} of ${total} events`);
  if (value.events < total) {
    ctx.log(
      `  read.catchup: the subscription saw only ${value.events.toLocaleString('en')} of ${total.toLocaleString('en')} events in ${limitMs / 1000} s: rate so far`,
    );
  } else {
    ctx.log(`  read.catchup: ${total.toLocaleString('en')} events`);
  }
  return row('read.catchup', 'events/s', value.rate, baseline.rate);
}

export const readBenches: BenchArea = {
  area: 'read',
  rows: ['read.catchup'],
  async run(ctx, only, emit) {
    if (only('read.catchup')) emit(await catchup(ctx));
  },
};
