/**
 * What `append-cpu.probe.ts` and `append-growth.probe.ts` share: timed windows of `writers`
 * append loops that measure, per side, events, the bench process's CPU (worker threads included),
 * the CPU of named PostgreSQL backends from /proc, and what the writers' backends wait on
 * (pg_stat_activity sampled every 5 ms), which a loaded machine disturbs far less than a ratio.
 */
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { procCpuMs } from './bench-harness';

/** What one side's measured windows added up to. */
export interface Side {
  events: number;
  ms: number;
  clientCpuMs: number;
  backendCpuMs: number;
  sealerCpuMs: number;
  waits: Map<string, number>;
  samples: number;
}

export const newSide = (): Side => ({
  events: 0,
  ms: 0,
  clientCpuMs: 0,
  backendCpuMs: 0,
  sealerCpuMs: 0,
  waits: new Map(),
  samples: 0,
});

/** `--name value` from the command line, else `fallback`. */
export function probeOption(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
}

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

/** The backends a measured window reads: pools by application name (`<name>_<runId>`). */
export interface Backends {
  /** The writers' pool (its store's NOTIFY and LISTEN connections share the name). */
  readonly writers: string;
  /** The sealer's pool, if any. */
  readonly sealer?: string;
}

/**
 * Windows over `admin` (a pool of 1), for pools named `<name>_<runId>`. The wait samples leave
 * out the store's NOTIFY and LISTEN connections, which share its pool's name and idle in between.
 */
export function appendWindows(admin: Pool, runId: string, writers: number) {
  const pidsOf = async (name: string) =>
    (
      await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [`${name}_${runId}`],
      )
    ).rows.map((r) => r.pid);
  const sum = (pids: number[]) => pids.reduce((s, p) => s + cpuMs(p), 0);
  /** `writers` loops of `op` for `ms`; with `side`, what they cost is added to it. Returns the events. */
  const run = async (
    op: (w: number) => Promise<void>,
    ms: number,
    side?: Side,
    backends?: Backends,
  ): Promise<number> => {
    const pids = side && backends ? await pidsOf(backends.writers) : [];
    const sealerPids = side && backends?.sealer ? await pidsOf(backends.sealer) : [];
    const backendBefore = sum(pids);
    const sealerBefore = sum(sealerPids);
    const clientBefore = processCpuMs();
    const started = Date.now();
    const until = started + ms;
    let done = 0;
    let sampling = true;
    const sampler = (async () => {
      if (!side || !backends) return;
      while (sampling) {
        const { rows } = await admin.query<{ w: string | null; s: string }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w, state AS s
             FROM pg_stat_activity
            WHERE application_name = $1 AND query NOT LIKE 'NOTIFY %' AND query NOT LIKE 'LISTEN %'
              AND query NOT LIKE '%pg_notify%'`,
          [`${backends.writers}_${runId}`],
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
  /**
   * `blocks` × B V V B windows of `ms`, each side into its own Side; returns the blocks' ratios
   * (V events over B events), sorted.
   */
  const blocksBVVB = async (
    blocks: number,
    ms: number,
    b: { op: (w: number) => Promise<void>; side: Side; backends: Backends },
    v: { op: (w: number) => Promise<void>; side: Side; backends: Backends },
  ): Promise<number[]> => {
    const ratios: number[] = [];
    for (let i = 0; i < blocks; i++) {
      const b1 = await run(b.op, ms, b.side, b.backends);
      const v1 = await run(v.op, ms, v.side, v.backends);
      const v2 = await run(v.op, ms, v.side, v.backends);
      const b2 = await run(b.op, ms, b.side, b.backends);
      ratios.push((v1 + v2) / (b1 + b2));
    }
    return ratios.sort((x, y) => x - y);
  };
  return { pidsOf, run, blocksBVVB };
}

/** A side per event: rate, CPU in µs, the most frequent waits in % of the samples. */
export function sideReport(name: string, s: Side) {
  return {
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
  };
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
