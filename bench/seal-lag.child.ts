// The sealer of seal.lag, in its own process as a sealer instance runs beside a service, so its
// CPU can be measured apart from the appenders: the process's own CPU (process.cpuUsage) and that
// of its PostgreSQL backends (/proc/<pid>/stat, PostgreSQL runs on this machine).
// Started by seal.bench.ts with fork(); reports 'ready', and on 'stop' stops and reports its CPU.
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { EventSealer } from '@trainyard/event-store';

export interface SealLagChildArgs {
  readonly databaseUrl: string;
  readonly schema: string;
}

export type SealLagChildMessage =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'stopped';
      readonly processCpuMs: number;
      readonly postgresCpuMs: number | null;
    }
  | { readonly kind: 'error'; readonly message: string };

const APPLICATION_NAME = 'trainyard-seal-lag-bench';

async function backendCpuMs(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [APPLICATION_NAME],
  );
  try {
    let ticks = 0;
    for (const { pid } of rows) {
      // Fields 14 and 15 (utime, stime) after the parenthesised command name; 100 ticks per second on Linux.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks * 10;
  } catch {
    return null; // not on this machine, or not readable
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as SealLagChildArgs;
  const pool = new Pool({
    connectionString: args.databaseUrl,
    max: 2,
    idleTimeoutMillis: 0,
    application_name: APPLICATION_NAME,
  });
  const sealer = new EventSealer(pool, args.schema, {
    worker: true,
    onError: (error) => process.stderr.write(`seal.lag sealer: ${String(error)}\n`),
  });
  const probe = new Pool({ connectionString: args.databaseUrl, max: 1 });
  // A pass before the measurement (nothing to seal yet): the sealer of a running service has its
  // connection, and its worker thread (worker: true), up already; starting them is not sealing.
  await sealer.sealPending();
  const before = await backendCpuMs(probe);
  const cpu = process.cpuUsage();
  sealer.start();
  process.send?.({ kind: 'ready' } satisfies SealLagChildMessage);
  process.on('message', (message: string) => {
    if (message !== 'stop') return;
    void (async () => {
      const after = await backendCpuMs(probe);
      await sealer.stop();
      const used = process.cpuUsage(cpu);
      process.send?.({
        kind: 'stopped',
        processCpuMs: (used.user + used.system) / 1000,
        postgresCpuMs: before === null || after === null ? null : after - before,
      } satisfies SealLagChildMessage);
      await pool.end();
      await probe.end();
      process.disconnect();
    })();
  });
}

main().catch((error: unknown) => {
  process.send?.({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies SealLagChildMessage);
  process.exitCode = 1;
});
