import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type Client } from '@grpc/grpc-js';
import { planning, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { buildPlatform, ensureDevKeys, freePort, repoRoot } from '@trainyard/infra';
import { healthStatus } from '../tools/scripts/grpc-health';
import { cpuProfileArgs, sleep } from './bench-harness';

/** The built planning service and its clients, as planning.command.w16 and command-cpu.probe use them. */

export type PlanningClient = Client & {
  RegisterWorkload(
    request: planning.RegisterWorkloadRequest,
    metadata: Metadata,
    callback: (error: Error | null) => void,
  ): void;
};

export interface PlanningServiceProcess {
  readonly child: ChildProcess;
  readonly address: string;
}

/**
 * Builds the platform and starts the planning service as its own process (as `npm start` runs it)
 * in `schema`; resolves once it answers SERVING (60 s at most), with BENCH_CPU_PROF_DIR honoured.
 */
export async function startPlanningService(o: {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly buildOutput?: 'inherit' | 'pipe';
}): Promise<PlanningServiceProcess> {
  const root = repoRoot();
  buildPlatform('dist', o.buildOutput);
  const keys = ensureDevKeys();
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [...cpuProfileArgs(), join(root, 'dist', 'apps', 'planning', 'src', 'main.js')],
    {
      cwd: root,
      env: {
        ...process.env,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(grpcPort),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        DATABASE_URL: o.databaseUrl,
        DATABASE_SCHEMA: o.schema,
        DATABASE_POOL_SIZE: '16',
        KAFKA_BROKERS: o.brokers.join(','),
        KAFKA_CLIENT_ID: o.clientId,
        AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const address = `127.0.0.1:${grpcPort}`;
  try {
    const deadline = Date.now() + 60_000;
    while ((await healthStatus(address).catch(() => 'UNAVAILABLE')) !== 'SERVING') {
      if (child.exitCode !== null) throw new Error(`planning service exited (${child.exitCode})`);
      if (Date.now() > deadline) throw new Error('planning service not SERVING after 60 s');
      await sleep(300);
    }
  } catch (error) {
    await stopPlanningService(child);
    throw error;
  }
  return { child, address };
}

/** SIGTERM, then SIGKILL after 15 s; resolves when the process has exited. */
export function stopPlanningService(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

/** `n` PlanningService clients, one channel each, as `n` independent callers would have. */
export function planningClients(address: string, n: number): PlanningClient[] {
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
  return Array.from({ length: n }, () => new Constructor(address, credentials.createInsecure()));
}

/** One RegisterWorkload command, as a release manager's tool sends it. */
export function registerWorkload(
  client: PlanningClient,
  token: string,
  workloadId: string,
): Promise<void> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const request: planning.RegisterWorkloadRequest = {
    workloadId,
    title: 'Migrate the payment gateway to the new cluster',
    team: `team-${workloadId.length % 7}`,
    components: [{ name: 'payments-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE }],
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
  };
  return new Promise((resolve, reject) =>
    client.RegisterWorkload(request, metadata, (error) => (error ? reject(error) : resolve())),
  );
}
