/**
 * What `append.growth` compares, per event: the store at 16 writers (group commit, as the services
 * run it) on a fresh empty schema against the same on a schema seeded with `--events` events
 * (seeded, vacuumed, checkpointed and sealed as `largeStore` does it), each with its own sealer in a
 * worker thread, both sealers running throughout. Alternating windows (B = empty, V = large,
 * B V V B), each measuring events, the bench process's CPU (the sealers' workers included), the
 * CPU of each store's PostgreSQL backends and of its sealer's (/proc), and what the writers'
 * backends wait on (pg_stat_activity sampled every 5 ms).
 *
 *   BENCH_DATABASE_URL=postgres://…/bench_x npx tsx bench/append-growth.probe.ts [--events 200000]
 *     [--blocks 4] [--ms 1000] [--writers 16]
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { EventSealer, createEventStore, migrateEventStore } from '@trainyard/event-store';
import { benchEvent, seedEvents } from './bench-events';
import { procCpuMs } from './bench-harness';

const cpuMs = (pid: number): number => {
  try {
    return procCpuMs(pid);
  } catch {
    return 0;
  }
};

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
  const seeded = Number(option('events', '200000'));
  const blocks = Number(option('blocks', '4'));
  const windowMs = Number(option('ms', '1000'));
  const writers = Number(option('writers', '16'));
  const url = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/bench_probe';
  const runId = Math.random().toString(16).slice(2, 8);
  const mk = (name: string, max: number) =>
    new Pool({ connectionString: url, max, application_name: `${name}_${runId}` });
  const admin = mk('admin', 1);
  const pools: Pool[] = [admin];
  const schemas: string[] = [];
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
      const r = await store.append(
        `workload-${runId}-${name}-${w}`,
        [benchEvent(n++)],
        versions[w] ?? 0,
      );
      versions[w] = r.nextExpectedVersion;
    };
    return { name, schema, pool, store, sealer, op };
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
    const pidsOf = async (name: string) =>
      (
        await admin.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
          [`${name}_${runId}`],
        )
      ).rows.map((r) => r.pid);
    const sum = (pids: number[]) => pids.reduce((s, p) => s + cpuMs(p), 0);
    const run = async (side: typeof empty, ms: number, measured?: Side): Promise<number> => {
      const pids = await pidsOf(side.name);
      const sealerPids = await pidsOf(`sealer_${side.name}`);
      const backendBefore = sum(pids);
      const sealerBefore = sum(sealerPids);
      const clientBefore = processCpuMs();
      const t0 = Date.now();
      const until = t0 + ms;
      let done = 0;
      let sampling = true;
      const sampler = (async () => {
        if (!measured) return;
        while (sampling) {
          const { rows } = await admin.query<{ w: string | null; s: string }>(
            `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w, state AS s FROM pg_stat_activity WHERE application_name = $1 AND query NOT LIKE '%pg_notify%' AND query NOT LIKE 'LISTEN%'`,
            [`${side.name}_${runId}`],
          );
          for (const r of rows) {
            const key = r.s === 'active' ? r.w! : `(${r.s})`;
            measured.waits.set(key, (measured.waits.get(key) ?? 0) + 1);
          }
          measured.samples += rows.length;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          while (Date.now() < until) {
            await side.op(w);
            done++;
          }
        }),
      );
      const elapsed = Date.now() - t0;
      sampling = false;
      await sampler;
      if (measured) {
        measured.events += done;
        measured.ms += elapsed;
        measured.clientCpuMs += processCpuMs() - clientBefore;
        measured.backendCpuMs += sum(pids) - backendBefore;
        measured.sealerCpuMs += sum(sealerPids) - sealerBefore;
      }
      return done;
    };
    empty.sealer.start();
    large.sealer.start();
    await run(empty, 1500);
    await run(large, 1500);
    const b = newSide();
    const v = newSide();
    const ratios: number[] = [];
    for (let i = 0; i < blocks; i++) {
      const b1 = await run(empty, windowMs, b);
      const v1 = await run(large, windowMs, v);
      const v2 = await run(large, windowMs, v);
      const b2 = await run(empty, windowMs, b);
      ratios.push((v1 + v2) / (b1 + b2));
    }
    await empty.sealer.stop();
    await large.sealer.stop();
    await empty.store.close();
    await large.store.close();
    const report = (s: Side) => ({
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
          empty: report(b),
          large: report(v),
          load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
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
