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
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { EventSealer, createEventStore, migrateEventStore } from '@trainyard/event-store';
import { benchEvent, createPlainTable, plainRow } from './bench-events';
import { procCpuMs } from './bench-harness';

const PLAIN_COLUMNS = '(stream_id, stream_version, event_type, schema_version, data, metadata)';

/** A backend's CPU so far, ms; 0 once it has ended. */
function cpuMs(pid: number): number {
  try {
    return procCpuMs(pid);
  } catch {
    return 0;
  }
}

const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

interface Side {
  events: number;
  ms: number;
  clientCpuMs: number;
  backendCpuMs: number;
  sealerCpuMs: number;
  waits: Map<string, number>;
  samples: number;
}

const newSide = (): Side => ({
  events: 0,
  ms: 0,
  clientCpuMs: 0,
  backendCpuMs: 0,
  sealerCpuMs: 0,
  waits: new Map(),
  samples: 0,
});

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1]! : fallback;
  };
  const blocks = Number(option('blocks', '4'));
  const windowMs = Number(option('ms', '1000'));
  const writers = Number(option('writers', '16'));
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
    const pidsOf = async (name: string) =>
      (
        await admin.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
          [`${name}_${runId}`],
        )
      ).rows.map((r) => r.pid);
    const sum = (pids: number[]) => pids.reduce((s, p) => s + cpuMs(p), 0);

    const run = async (
      op: (w: number) => Promise<void>,
      ms: number,
      side?: Side,
      pidsName?: string,
    ) => {
      const pids = side ? await pidsOf(pidsName!) : [];
      const sealerPids = side ? await pidsOf('sealer') : [];
      const backendBefore = sum(pids);
      const sealerBefore = sum(sealerPids);
      const clientBefore = processCpuMs();
      const started = Date.now();
      const until = started + ms;
      let done = 0;
      let sampling = true;
      const sampler = (async () => {
        if (!side) return;
        while (sampling) {
          const { rows } = await admin.query<{ w: string | null; s: string }>(
            `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w, state AS s FROM pg_stat_activity WHERE application_name = $1`,
            [`${pidsName}_${runId}`],
          );
          for (const r of rows) {
            const key = r.s === 'active' ? r.w! : `(${r.s})`;
            side.waits.set(key, (side.waits.get(key) ?? 0) + 1);
          }
          side.samples += rows.length;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          while (Date.now() < until) {
            await op(w);
            done++;
          }
        }),
      );
      const elapsed = Date.now() - started;
      sampling = false;
      await sampler;
      if (side) {
        side.events += done;
        side.ms += elapsed;
        side.clientCpuMs += processCpuMs() - clientBefore;
        side.backendCpuMs += sum(pids) - backendBefore;
        side.sealerCpuMs += sum(sealerPids) - sealerBefore;
      }
      return done;
    };
    if (withSealer) sealer.start();
    const hold = option('hold', '');
    if (hold) {
      // One side only for `--ms`, its backends' pids on stderr (for perf record -p).
      const op = hold === 'store' ? storeOp : plain;
      await run(op, 1500);
      console.error(`pids ${(await pidsOf(hold)).join(',')}`);
      const side = newSide();
      await run(op, windowMs, side, hold);
      console.error(JSON.stringify({ perSecond: Math.round((side.events * 1000) / side.ms) }));
      if (withSealer) await sealer.stop();
      await store.close();
      return;
    }
    await run(plain, 1500);
    await run(storeOp, 1500);
    const b = newSide();
    const v = newSide();
    const ratios: number[] = [];
    for (let i = 0; i < blocks; i++) {
      const b1 = await run(plain, windowMs, b, 'plain');
      const v1 = await run(storeOp, windowMs, v, 'store');
      const v2 = await run(storeOp, windowMs, v, 'store');
      const b2 = await run(plain, windowMs, b, 'plain');
      ratios.push((v1 + v2) / (b1 + b2));
    }
    if (withSealer) await sealer.stop();
    await store.close();
    const report = (name: string, s: Side) => ({
      side: name,
      perSecond: Math.round((s.events * 1000) / s.ms),
      clientUsPerEvent: +((s.clientCpuMs * 1000) / s.events).toFixed(1),
      backendUsPerEvent: +((s.backendCpuMs * 1000) / s.events).toFixed(1),
      sealerBackendUsPerEvent: +((s.sealerCpuMs * 1000) / s.events).toFixed(1),
      waits: Object.fromEntries(
        [...s.waits.entries()]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 8)
          .map(([k, c]) => [k, +((100 * c) / s.samples).toFixed(1)]),
      ),
    });
    ratios.sort((x, y) => x - y);
    console.log(
      JSON.stringify(
        {
          ratios: ratios.map((r) => +r.toFixed(2)),
          baseline: report('plain', b),
          store: report('store', v),
          load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
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
