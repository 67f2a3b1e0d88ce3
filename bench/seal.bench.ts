import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEventStore, migrateEventStore } from '@trainyard/event-store';
import { benchEvent } from './bench-events';
import {
  cpuProfileArgs,
  row,
  type BenchArea,
  type BenchContext,
  type BenchResult,
} from './bench-harness';
import type { SealLagChildArgs, SealLagChildMessage } from './seal-lag.child';

const RATE = 1000; // appends per second, one event each
const WRITERS = 16;
const POLL_MS = 5;
/** What a sealer with no work at all would show: the store's NOTIFY throttle plus the sealer's minimum gap between passes (defaults). */
const WAKE_FLOOR_MS = 20 + 200;

/**
 * seal.lag: ms from an append's commit to the batch that seals it, p99, at a steady 1,000
 * appends/s from 16 writers, the sealer (defaults) in its own process. Baseline: the wake-up floor
 * above. Also reported: the sealer's CPU, its process and its PostgreSQL backends, as a share of
 * one core and of the appenders' process.
 */
async function sealLag(ctx: BenchContext): Promise<BenchResult> {
  const schema = ctx.schema('seal_lag');
  const pool = ctx.pool(WRITERS);
  const probe = ctx.pool(1);
  await migrateEventStore(pool, schema);
  const store = createEventStore(pool, schema);
  const args: SealLagChildArgs = { databaseUrl: ctx.databaseUrl, schema };
  const child = fork(join(__dirname, 'seal-lag.child.ts'), [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx', ...cpuProfileArgs()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: SealLagChildMessage[] = [];
  let notify: (() => void) | undefined;
  child.on('message', (message: SealLagChildMessage) => (messages.push(message), notify?.()));
  const next = async (kind: SealLagChildMessage['kind']): Promise<SealLagChildMessage> => {
    for (;;) {
      const error = messages.find((m) => m.kind === 'error');
      if (error && error.kind === 'error') throw new Error(`seal.lag sealer: ${error.message}`);
      const found = messages.find((m) => m.kind === kind);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`seal.lag sealer exited (${child.exitCode})`);
      await new Promise<void>((resolve) => ((notify = resolve), setTimeout(resolve, 200)));
    }
  };
  try {
    await next('ready');
    // Sealed-size changes as the sealer commits them, seen from outside.
    const sealedAt: Array<{ size: number; at: number }> = [];
    let polling = true;
    const poller = (async () => {
      let last = 0;
      while (polling) {
        const { rows } = await probe.query<{ n: string }>(
          `SELECT coalesce(max(t.tree_size), 0)::text AS n FROM "${schema}".event_tree_batches t`,
        );
        const size = Number(rows[0]!.n);
        if (size > last) sealedAt.push({ size: (last = size), at: performance.now() });
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();

    const total = Math.round((RATE * ctx.sizes.e2eMs) / 1000);
    const committedAt = new Map<string, number>();
    const cpu = process.cpuUsage();
    const started = performance.now();
    let issued = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        let version = 0;
        for (let i = issued++; i < total; i = issued++) {
          const due = started + (i * 1000) / RATE;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const result = await store.append(`seal-lag-${ctx.runId}-${w}`, [benchEvent(i)], version);
          committedAt.set(result.firstPosition.toString(), performance.now());
          version = result.nextExpectedVersion;
        }
      }),
    );
    const appendMs = performance.now() - started;
    const appendCpu = process.cpuUsage(cpu);
    const deadline = performance.now() + 60_000;
    while ((sealedAt.at(-1)?.size ?? 0) < total && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const sealedMs = performance.now() - started;
    polling = false;
    await poller;
    child.send('stop');
    const stopped = await next('stopped');
    if ((sealedAt.at(-1)?.size ?? 0) < total)
      throw new Error(
        `seal.lag: only ${sealedAt.at(-1)?.size ?? 0} of ${total} events sealed within 60 s`,
      );

    const { rows } = await probe.query<{ position: string }>(
      `SELECT e.position::text AS position FROM "${schema}".events e ORDER BY e.transaction_id, e.position`,
    );
    const lags = rows
      .map((r, leaf) => sealedAt.find((s) => s.size > leaf)!.at - committedAt.get(r.position)!)
      .sort((a, b) => a - b);
    const p99 = lags[Math.min(lags.length - 1, Math.ceil(lags.length * 0.99) - 1)]!;
    if (stopped.kind === 'stopped') {
      const sealerCpu = stopped.processCpuMs + (stopped.postgresCpuMs ?? 0);
      const appenderCpu = (appendCpu.user + appendCpu.system) / 1000;
      ctx.log(
        `  seal.lag: ${total} appends in ${(appendMs / 1000).toFixed(1)} s (${Math.round((total * 1000) / appendMs)}/s), p50 ${lags[Math.floor(lags.length / 2)]!.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${lags.at(-1)!.toFixed(0)} ms; ` +
          `sealer CPU ${stopped.processCpuMs.toFixed(0)} ms (process) + ${stopped.postgresCpuMs === null ? '?' : stopped.postgresCpuMs.toFixed(0)} ms (its PostgreSQL backends) over ${(sealedMs / 1000).toFixed(1)} s = ` +
          `${((100 * sealerCpu) / sealedMs).toFixed(1)} % of one core, ${((100 * sealerCpu) / appenderCpu).toFixed(0)} % of the appending process's CPU (${appenderCpu.toFixed(0)} ms); ${sealedAt.length} sealed-size steps seen`,
      );
    }
    return row('seal.lag', 'ms', p99, WAKE_FLOOR_MS);
  } finally {
    // A child that reported 'stopped' is exiting on its own; killing it now would lose the CPU
    // profile BENCH_CPU_PROF_DIR asked for (written at exit). Any other child is killed at once.
    if (messages.some((m) => m.kind === 'stopped')) await exited(child, 10_000);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await store.close();
    await ctx.closePool(probe);
    await ctx.closePool(pool);
  }
}

export const sealBenches: BenchArea = {
  area: 'seal',
  rows: ['seal.lag'],
  async run(ctx, only, emit) {
    if (only('seal.lag')) emit(await sealLag(ctx));
  },
};

/** Resolves when `child` has exited, or after `ms` if it has not. */
function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => (clearTimeout(timer), resolve()));
  });
}
