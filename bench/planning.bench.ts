import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { planning, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { ensureDevKeys, repoRoot, signDevToken } from '@trainyard/infra';
import { allocate, generatePortfolio } from '@trainyard/planning-domain';
import { healthStatus } from '../tools/scripts/grpc-health';
import { benchEvent, createPlainTable, plainRow } from './bench-events';
import { compareRounds, measureWindow, percentile, row, sleep, type BenchArea, type BenchContext, type BenchResult } from './bench-harness';

type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null) => void) => void;
type PlanningClient = Client & Record<string, Unary>;

/**
 * The built planning service as its own process (as `npm start` runs it), in a fresh schema, so the
 * figure includes gRPC, auth, the decider, the append and the service's relay, sealer and projection.
 */
async function withPlanningService<T>(ctx: BenchContext, body: (address: string, token: string) => Promise<T>): Promise<T> {
  const root = repoRoot();
  const build = spawnSync(process.execPath, [join(root, 'node_modules', '@swc', 'cli', 'bin', 'swc.js'), 'apps', 'libs', '-d', 'dist', '--config-file', '.swcrc', '--copy-files', '--ignore', '**/*.spec.ts', '--quiet'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const keys = ensureDevKeys();
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const schema = ctx.schema('planning');
  const child: ChildProcess = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', join(root, 'dist', 'apps', 'planning', 'src', 'main.js')], {
    cwd: root,
    env: {
      ...process.env,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      DATABASE_URL: ctx.databaseUrl,
      DATABASE_SCHEMA: schema,
      DATABASE_POOL_SIZE: '16',
      KAFKA_BROKERS: ctx.brokers.join(','),
      KAFKA_CLIENT_ID: `trainyard-bench-planning-${ctx.runId}`,
      AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const address = `127.0.0.1:${grpcPort}`;
  try {
    const deadline = Date.now() + 60_000;
    while ((await healthStatus(address).catch(() => 'UNAVAILABLE')) !== 'SERVING') {
      if (child.exitCode !== null) throw new Error(`planning service exited (${child.exitCode})`);
      if (Date.now() > deadline) throw new Error('planning service not SERVING after 60 s');
      await sleep(300);
    }
    return await body(address, await signDevToken({ roles: ['release-manager'], subject: 'bench' }));
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      child.kill('SIGTERM');
    });
  }
}

function registerWorkload(client: PlanningClient, token: string, workloadId: string): Promise<void> {
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
    featureFlag: '',
    severity: 0,
    linkedIncident: '',
    reason: 'benchmark',
  };
  return new Promise((resolve, reject) => client.RegisterWorkload!(request, metadata, (error) => (error ? reject(error) : resolve())));
}

async function commandRow(ctx: BenchContext): Promise<BenchResult> {
  const clients = 16;
  const pool = ctx.pool(clients);
  const table = await createPlainTable(pool, ctx.schema('plain_planning'));
  const text = `INSERT INTO ${table} (stream_id, stream_version, event_type, schema_version, data, metadata) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING id`;
  let n = 0;
  const plainInsert = async (w: number) => {
    await pool.query({ name: 'plain_insert_planning', text, values: plainRow(`workload-${w}-${n}`, 1, benchEvent(n++)) });
    return 1;
  };
  try {
    return await withPlanningService(ctx, async (address, token) => {
      const Constructor = (loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
        trainyard: { planning: { v1: { PlanningService: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => PlanningClient } } };
      }).trainyard.planning.v1.PlanningService;
      // One channel per client, as 16 independent callers would have.
      const stubs = Array.from({ length: clients }, () => new Constructor(address, credentials.createInsecure()));
      let k = 0;
      const command = async (w: number) => {
        await registerWorkload(stubs[w]!, token, `wl-${ctx.runId}-${w}-${k++}`);
        return 1;
      };
      try {
        const { baseline, value } = await compareRounds(
          ctx,
          'planning.command.w16',
          () => measureWindow(ctx.sizes, clients, plainInsert),
          () => measureWindow(ctx.sizes, clients, command),
        );
        return row('planning.command.w16', 'events/s', value, baseline);
      } finally {
        for (const stub of stubs) stub.close();
      }
    });
  } finally {
    await ctx.closePool(pool);
  }
}

/** Median wall time of `runs` allocations of one generated portfolio (after one untimed run). */
function allocationMs(candidates: number, teams: number, edges: number, runs: number): number {
  const input = generatePortfolio(42, { candidates, teams, edges });
  allocate(input);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    allocate(input);
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

function scalingRow(ctx: BenchContext): BenchResult {
  const runs = ctx.sizes.quick ? 3 : 7;
  const small = allocationMs(10_000, 50, 2_000, runs * 3);
  const large = allocationMs(100_000, 500, 20_000, runs);
  ctx.log(`  planning.allocate.scaling: 10,000 candidates ${small.toFixed(1)} ms, 100,000 candidates ${large.toFixed(1)} ms`);
  // Linear growth: the large run takes 10 × the small one, ratio 1.0.
  return row('planning.allocate.scaling', 'ms', large, 10 * small);
}

export const planningBenches: BenchArea = {
  area: 'planning',
  rows: ['planning.command.w16', 'planning.allocate.scaling'],
  async run(ctx, only, emit) {
    if (only('planning.allocate.scaling')) emit(scalingRow(ctx));
    if (only('planning.command.w16')) emit(await commandRow(ctx));
  },
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
