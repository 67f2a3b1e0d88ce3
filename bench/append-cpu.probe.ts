/**
 * Where an append's time goes at 16 writers, store against the plain INSERT baseline: both sides in
 * alternating windows (B V V B), each measuring events, the bench process's CPU (the store's
 * sealer worker included), the CPU of each side's PostgreSQL backends and of the sealer's, all from
 * /proc per event, and what the writers' backends were waiting on (pg_stat_activity sampled every
 * 5 ms), which a loaded machine disturbs far less than a throughput ratio.
 *
 *   BENCH_DATABASE_URL=postgres://…/bench_x npx tsx bench/append-cpu.probe.ts [--blocks 4] [--ms 1000]
 *     [--writers 16] [--no-sealer] [--group] [--hold store|plain]
 *
 * `--group`: the store with group commit (as the platform's services create it). `--hold <side>`:
 * only that side for `--ms`, its backends' pids on stderr once warm (for `perf record -p`).
 */
import { Pool } from 'pg';
import { EventSealer, createEventStore, migrateEventStore } from '@trainyard/event-store';
import { benchEvent, createPlainTable, plainRow } from './bench-events';
import { appendWindows, loadAverage, newSide, probeOption, sideReport } from './append-probe';

const PLAIN_COLUMNS = '(stream_id, stream_version, event_type, schema_version, data, metadata)';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const blocks = Number(probeOption('blocks', '4'));
  const windowMs = Number(probeOption('ms', '1000'));
  const writers = Number(probeOption('writers', '16'));
  const withSealer = !args.includes('--no-sealer');
  const url = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/bench_probe';
  const runId = Math.random().toString(16).slice(2, 8);
  const schema = `probe_append_${runId}`;
  const mk = (name: string, max: number) =>
    new Pool({ connectionString: url, max, application_name: `${name}_${runId}` });
  const plainPool = mk('plain', writers);
  const storePool = mk('store', writers);
  const sealerPool = mk('sealer', 2);
  const admin = mk('admin', 1);
  try {
    await migrateEventStore(storePool, schema);
    const table = await createPlainTable(plainPool, schema);
    const store = createEventStore(storePool, schema, { groupCommit: args.includes('--group') });
    const sealer = new EventSealer(sealerPool, schema, { worker: true, onError: console.error });
    const text = `INSERT INTO ${table} ${PLAIN_COLUMNS} VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING id`;
    const plainVersions = Array.from({ length: writers }, () => 0);
    const storeVersions = Array.from({ length: writers }, () => 0);
    let n = 0;
    const plain = async (w: number) => {
      await plainPool.query({
        name: 'plain_insert_1',
        text,
        values: plainRow(`workload-${w}`, ++plainVersions[w]!, benchEvent(n++)),
      });
    };
    const storeOp = async (w: number) => {
      const r = await store.append(
        `workload-${runId}-${w}`,
        [benchEvent(n++)],
        storeVersions[w] ?? 0,
      );
      storeVersions[w] = r.nextExpectedVersion;
    };
    const { pidsOf, run, blocksBVVB } = appendWindows(admin, runId, writers);
    const storeBackends = { writers: 'store', sealer: 'sealer' };
    if (withSealer) sealer.start();
    const hold = probeOption('hold', '');
    if (hold) {
      // One side only for `--ms`, its backends' pids on stderr (for perf record -p).
      const op = hold === 'store' ? storeOp : plain;
      await run(op, 1500);
      console.error(`pids ${(await pidsOf(hold)).join(',')}`);
      const side = newSide();
      await run(op, windowMs, side, hold === 'store' ? storeBackends : { writers: hold });
      console.error(JSON.stringify({ perSecond: Math.round((side.events * 1000) / side.ms) }));
      if (withSealer) await sealer.stop();
      await store.close();
      return;
    }
    await run(plain, 1500);
    await run(storeOp, 1500);
    const b = newSide();
    const v = newSide();
    const ratios = await blocksBVVB(
      blocks,
      windowMs,
      { op: plain, side: b, backends: { writers: 'plain', sealer: 'sealer' } },
      { op: storeOp, side: v, backends: storeBackends },
    );
    if (withSealer) await sealer.stop();
    await store.close();
    console.log(
      JSON.stringify(
        {
          ratios: ratios.map((r) => +r.toFixed(2)),
          baseline: sideReport('plain', b),
          store: sideReport('store', v),
          load: loadAverage(),
        },
        null,
        1,
      ),
    );
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await Promise.all([plainPool, storePool, sealerPool, admin].map((p) => p.end()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
