import { createEventStore, EventSealer, migrateEventStore } from '@trainyard/event-store';
import type { Pool } from 'pg';
import { BenchContext, QUICK_SIZES, measureWindow } from './bench-harness';
import { benchEvent, createPlainTable, plainRow } from './bench-events';

type Variant = 'plain' | 'store' | 'store+sealer' | 'store-nonotify';
async function main(): Promise<void> {
  const url = 'postgres://postgres@127.0.0.1:5432/trainyard_bench';
  const ctx = new BenchContext(url, ['127.0.0.1:9092'], QUICK_SIZES, console.log);
  const sizes = { warmupMs: 500, windowMs: 2000 };
  const [batch, writers] = process.argv.slice(2).map(Number) as [number, number];
  const variants: Variant[] = ['plain', 'store', 'store+sealer', 'store-nonotify'];
  const results = new Map<Variant, number[]>();
  try {
    const setups = new Map<Variant, { op: (w: number) => Promise<number>; sealer?: EventSealer }>();
    for (const variant of variants) {
      const pool: Pool = ctx.pool(writers);
      const schema = ctx.schema(`d_${variant.replace(/[^a-z]/g, '')}`);
      const versions = Array.from({ length: writers }, () => 0);
      if (variant === 'plain') {
        const table = await createPlainTable(pool, schema);
        const tuples = Array.from(
          { length: batch },
          (_, i) =>
            `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}::jsonb, $${i * 6 + 6}::jsonb)`,
        );
        const text = `INSERT INTO ${table} (stream_id, stream_version, event_type, schema_version, data, metadata) VALUES ${tuples.join(', ')} RETURNING id`;
        setups.set(variant, {
          op: async (w) => {
            const values = Array.from({ length: batch }, () =>
              plainRow(`s-${w}`, ++versions[w]!, benchEvent(0)),
            ).flat();
            await pool.query({ name: `p${batch}`, text, values });
            return batch;
          },
        });
      } else {
        await migrateEventStore(pool, schema);
        const store = createEventStore(pool, schema, {
          crossProcessSignal: variant !== 'store-nonotify',
        });
        const sealer =
          variant === 'store+sealer' ? new EventSealer(ctx.pool(2), schema) : undefined;
        setups.set(variant, {
          sealer,
          op: async (w) => {
            const r = await store.append(
              `s-${w}`,
              Array.from({ length: batch }, () => benchEvent(0)),
              versions[w],
            );
            versions[w] = r.nextExpectedVersion;
            return batch;
          },
        });
      }
    }
    for (let round = 0; round < 3; round++)
      for (const variant of variants) {
        const s = setups.get(variant)!;
        s.sealer?.start();
        console.log('round', round, variant);
        const rate = await measureWindow(sizes, writers, s.op);
        await s.sealer?.stop();
        results.set(variant, [...(results.get(variant) ?? []), Math.round(rate)]);
      }
    for (const [v, r] of results)
      console.log(
        `batch ${batch} w${writers} ${v}: ${r.join(' ')} median ${[...r].sort((a, b) => a - b)[1]}`,
      );
  } finally {
    await ctx.dispose();
  }
}
void main();
