/**
 * The planning service's own CPU per RegisterWorkload command, from /proc (user + system time of
 * its process), which a loaded machine disturbs far less than a throughput ratio: the built
 * service (as planning.command.w16 starts it) takes 16 clients' commands for `--seconds`, then
 * gets 2 s to finish its background work (relay, projection, sealer) on them.
 *
 *   npx tsx bench/command-cpu.probe.ts [--seconds 6] [--database postgres://…]
 *
 * With BENCH_CPU_PROF_DIR the service writes a .cpuprofile there (warm-up and window: `warmup` +
 * `commands` commands) for bench/cpu-profile-summary.ts.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { signDevToken } from '@trainyard/infra';
import { procCpuMs, sleep } from './bench-harness';
import {
  planningClients,
  registerWorkload,
  startPlanningService,
  stopPlanningService,
} from './planning-service';

const CLIENTS = 16;

/** Busy time of every CPU of the machine (user, nice, system, irq, softirq, steal), from /proc/stat. */
function machineBusyMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / 100;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1]! : fallback;
  };
  const seconds = Number(option('seconds', '6'));
  const databaseUrl = option('database', 'postgres://postgres@127.0.0.1:5432/bench_command');
  const runId = Math.random().toString(16).slice(2, 8);
  const schema = `probe_planning_${runId}`;
  const { child, address } = await startPlanningService({
    databaseUrl,
    schema,
    brokers: ['127.0.0.1:9092'],
    clientId: `trainyard-probe-planning-${runId}`,
    buildOutput: 'pipe',
  });
  try {
    const token = await signDevToken({ roles: ['release-manager'], subject: 'bench' });
    const stubs = planningClients(address, CLIENTS);
    let k = 0;
    const command = (w: number) => registerWorkload(stubs[w]!, token, `wl-${runId}-${w}-${k++}`);
    const run = async (ms: number) => {
      const until = Date.now() + ms;
      let done = 0;
      await Promise.all(
        stubs.map(async (_, w) => {
          while (Date.now() < until) {
            await command(w);
            done++;
          }
        }),
      );
      return done;
    };
    const warmup = await run(2_000);
    await sleep(2_000);
    const admin = new Pool({ connectionString: databaseUrl, max: 1 });
    // The PostgreSQL backends serving this database (the service's pool, relay, listeners): the
    // probe's schema is the only user of it while it runs.
    const backends = async () =>
      (
        await admin.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        )
      ).rows.map((r) => r.pid);
    const backendCpu = (pids: number[]) =>
      pids.reduce((sum, pid) => {
        try {
          return sum + procCpuMs(pid);
        } catch {
          return sum; // ended
        }
      }, 0);
    const pids = await backends();
    const backendBefore = backendCpu(pids);
    const machineBefore = machineBusyMs();
    const cpuBefore = procCpuMs(child.pid!);
    const started = Date.now();
    const commands = await run(seconds * 1000);
    const elapsed = Date.now() - started;
    await sleep(2_000);
    const cpu = procCpuMs(child.pid!) - cpuBefore;
    const machineMs = machineBusyMs() - machineBefore;
    const backendMs = backendCpu(pids) - backendBefore;
    const newBackends = (await backends()).filter((pid) => !pids.includes(pid)).length;
    await admin.end();
    for (const stub of stubs) stub.close();
    console.log(
      JSON.stringify({
        commands,
        warmup,
        perSecond: Math.round((commands * 1000) / elapsed),
        serviceCpuMs: cpu,
        serviceCpuUsPerCommand: Math.round((cpu * 1000) / commands),
        postgresCpuUsPerCommand: Math.round((backendMs * 1000) / commands),
        // Every process's: the probe's clients, the broker, other work on the machine.
        machineCpuUsPerCommand: Math.round((machineMs * 1000) / commands),
        ...(newBackends > 0 ? { backendsOpenedDuringWindow: newBackends } : {}),
        load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
      }),
    );
  } finally {
    await stopPlanningService(child);
    const pool = new Pool({ connectionString: databaseUrl });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
