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
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type Client } from '@grpc/grpc-js';
import { Pool } from 'pg';
import { planning, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { buildPlatform, ensureDevKeys, freePort, repoRoot, signDevToken } from '@trainyard/infra';
import { healthStatus } from '../tools/scripts/grpc-health';
import { cpuProfileArgs } from './bench-harness';

const CLIENTS = 16;
const TICKS_PER_SECOND = 100;

type PlanningClient = Client & {
  RegisterWorkload(
    request: planning.RegisterWorkloadRequest,
    metadata: Metadata,
    callback: (error: Error | null) => void,
  ): void;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** User + system CPU of a process so far, ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1]! : fallback;
  };
  const seconds = Number(option('seconds', '6'));
  const databaseUrl = option('database', 'postgres://postgres@127.0.0.1:5432/bench_command');
  const root = repoRoot();
  buildPlatform('dist', 'pipe');
  const keys = ensureDevKeys();
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const runId = Math.random().toString(16).slice(2, 8);
  const schema = `probe_planning_${runId}`;
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      ...cpuProfileArgs(),
      join(root, 'dist', 'apps', 'planning', 'src', 'main.js'),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(grpcPort),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema,
        DATABASE_POOL_SIZE: '16',
        KAFKA_BROKERS: '127.0.0.1:9092',
        KAFKA_CLIENT_ID: `trainyard-probe-planning-${runId}`,
        AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const address = `127.0.0.1:${grpcPort}`;
  try {
    while ((await healthStatus(address).catch(() => 'UNAVAILABLE')) !== 'SERVING') {
      if (child.exitCode !== null) throw new Error(`planning service exited (${child.exitCode})`);
      await sleep(300);
    }
    const token = await signDevToken({ roles: ['release-manager'], subject: 'bench' });
    const Constructor = (
      loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
        trainyard: {
          planning: {
            v1: {
              PlanningService: new (
                a: string,
                c: ReturnType<typeof credentials.createInsecure>,
              ) => PlanningClient;
            };
          };
        };
      }
    ).trainyard.planning.v1.PlanningService;
    const stubs = Array.from(
      { length: CLIENTS },
      () => new Constructor(address, credentials.createInsecure()),
    );
    let k = 0;
    const command = (w: number) =>
      new Promise<void>((resolve, reject) => {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        stubs[w]!.RegisterWorkload(
          {
            workloadId: `wl-${runId}-${w}-${k++}`,
            title: 'Migrate the payment gateway to the new cluster',
            team: `team-${w % 7}`,
            components: [
              { name: 'payments-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE },
            ],
            regulatedData: [],
            jobSize: 5,
            businessValue: 8,
            timeCriticality: 5,
            riskReduction: 3,
            changeType: planning.ChangeType.CHANGE_TYPE_NET_NEW_FEATURE,
            dependsOn: [],
            schemaChange: false,
            libraries: [],
            consumedApis: [],
            featureFlag: '',
            severity: 0,
            linkedIncident: '',
            reason: 'benchmark',
          },
          metadata,
          (error) => (error ? reject(error) : resolve()),
        );
      });
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
          return sum + cpuMs(pid);
        } catch {
          return sum; // ended
        }
      }, 0);
    const pids = await backends();
    const backendBefore = backendCpu(pids);
    const cpuBefore = cpuMs(child.pid!);
    const started = Date.now();
    const commands = await run(seconds * 1000);
    const elapsed = Date.now() - started;
    await sleep(2_000);
    const cpu = cpuMs(child.pid!) - cpuBefore;
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
        ...(newBackends > 0 ? { backendsOpenedDuringWindow: newBackends } : {}),
        load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
      }),
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    const pool = new Pool({ connectionString: databaseUrl });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
