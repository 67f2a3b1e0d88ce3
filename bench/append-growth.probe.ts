/**
 * What `append.growth` compares, per event: the store at 16 writers (group commit, as the services
 * run it) on a fresh empty schema against the same on a schema seeded with `--events` events
 * (seeded, vacuumed, checkpointed and sealed as `largeStore` does it), each with its own sealer in a
 * worker thread, both sealers running throughout. Alternating windows (B = empty, V = large,
 * B V V B), each measuring events, the bench process's CPU (the sealers' workers included), the
 * CPU of each store's PostgreSQL backends and of its sealer's (/proc), and what the writers'
 * backends wait on.
 *
 *   BENCH_DATABASE_URL=postgres://…/bench_x npx tsx bench/append-growth.probe.ts [--events 200000]
 *     [--blocks 4] [--ms 1000] [--writers 16]
 */
import { Pool } from 'pg';
import { EventSealer, createEventStore, migrateEventStore } from '@trainyard/event-store';
import { benchEvent, seedEvents } from './bench-events';
import { appendWindows, loadAverage, newSide, probeOption, sideReport } from './append-probe';

async function main(): Promise<void> {
  const seeded = Number(probeOption('events', '200000'));
  const blocks = Number(probeOption('blocks', '4'));
  const windowMs = Number(probeOption('ms', '1000'));
  const writers = Number(probeOption('writers', '16'));
  const url = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/bench_probe';
  const runId = Math.random().toString(16).slice(2, 8);
  const mk = (name: string, max: number) =>
    new Pool({ connectionString: url, max, application_name: `${name}_${runId}` });
  const admin = mk('admin', 1);
  const pools: Pool[] = [admin];
  const schemas: string[] = [];
  /** A store on its own schema and pool, with its sealer on a pool of 2, as bench-store.ts opens one. */
  const open = async (name: string) => {
    const schema = `probe_growth_${name}_${runId}`;
    schemas.push(schema);
    const pool = mk(name, writers);
    const sealerPool = mk(`sealer_${name}`, 2);
    pools.push(pool, sealerPool);
    await migrateEventStore(pool, schema);
    const store = createEventStore(pool, schema, { groupCommit: true });
    const sealer = new EventSealer(sealerPool, schema, { worker: true, onError: console.error });
    const versions = Array.from({ length: writers }, () => 0);
    let n = 0;
    const op = async (w: number) => {
      const stream = `workload-${runId}-${name}-${w}`;
      const r = await store.append(stream, [benchEvent(n++)], versions[w] ?? 0);
      versions[w] = r.nextExpectedVersion;
    };
    return {
      schema,
      pool,
      store,
      sealer,
      op,
      backends: { writers: name, sealer: `sealer_${name}` },
    };
  };
  try {
    const empty = await open('empty');
    const large = await open('large');
    const started = Date.now();
    await seedEvents(large.pool, large.schema, seeded);
    await large.pool.query('CHECKPOINT');
    await large.sealer.sealPending();
    console.error(
      `seeded and sealed ${seeded} events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const { run, blocksBVVB } = appendWindows(admin, runId, writers);
    empty.sealer.start();
    large.sealer.start();
    await run(empty.op, 1500);
    await run(large.op, 1500);
    const b = newSide();
    const v = newSide();
    const ratios = await blocksBVVB(
      blocks,
      windowMs,
      { op: empty.op, side: b, backends: empty.backends },
      { op: large.op, side: v, backends: large.backends },
    );
    for (const side of [empty, large]) {
      await side.sealer.stop();
      await side.store.close();
    }
    console.log(
      JSON.stringify(
        {
          ratios: ratios.map((r) => +r.toFixed(2)),
          empty: sideReport('empty', b),
          large: sideReport(`large (${seeded} events)`, v),
          load: loadAverage(),
        },
        null,
        1,
      ),
    );
  } finally {
    for (const schema of schemas)
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await Promise.all(pools.map((p) => p.end()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
