import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { planning, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { buildPlatform, ensureDevKeys, freePort, repoRoot, signDevToken } from '@trainyard/infra';
import type { PortfolioShape } from '@trainyard/planning-domain/testing';
import { healthStatus } from '../tools/scripts/grpc-health';
import type {
  AllocationChildArgs,
  AllocationChildMessage,
  AllocationChildRequest,
} from './allocation.child';
import { benchEvent, createPlainTable, plainRow } from './bench-events';
import type { CeilingChildArgs, CeilingChildMessage } from './grpc-ceiling.child';
import {
  compareRounds,
  cpuProfileArgs,
  measureWindow,
  percentile,
  row,
  sleep,
  type BenchArea,
  type BenchContext,
  type BenchResult,
} from './bench-harness';

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null) => void,
) => void;
type PlanningClient = Client & Record<string, Unary>;

/**
 * The built planning service as its own process (as `npm start` runs it), in a fresh schema, so the
 * figure includes gRPC, auth, the decider, the append and the service's relay, sealer and projection.
 */
async function withPlanningService<T>(
  ctx: BenchContext,
  body: (address: string, token: string) => Promise<T>,
): Promise<T> {
  const root = repoRoot();
  buildPlatform('dist');
  const keys = ensureDevKeys();
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const schema = ctx.schema('planning');
  const child: ChildProcess = spawn(
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
        DATABASE_URL: ctx.databaseUrl,
        DATABASE_SCHEMA: schema,
        DATABASE_POOL_SIZE: '16',
        KAFKA_BROKERS: ctx.brokers.join(','),
        KAFKA_CLIENT_ID: `trainyard-bench-planning-${ctx.runId}`,
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
    return await body(
      address,
      await signDevToken({ roles: ['release-manager'], subject: 'bench' }),
    );
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      child.kill('SIGTERM');
    });
  }
}

function registerWorkload(
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
    client.RegisterWorkload!(request, metadata, (error) => (error ? reject(error) : resolve())),
  );
}

const COMMAND_CLIENTS = 16;

/** The raw single-row INSERT at 16 connections: the baseline of both command rows. */
async function withPlainInsert<T>(
  ctx: BenchContext,
  label: string,
  body: (plainInsert: (w: number) => Promise<number>, table: string) => Promise<T>,
): Promise<T> {
  const pool = ctx.pool(COMMAND_CLIENTS);
  const table = await createPlainTable(pool, ctx.schema(label));
  const text = `INSERT INTO ${table} (stream_id, stream_version, event_type, schema_version, data, metadata) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING id`;
  let n = 0;
  try {
    return await body(async (w) => {
      await pool.query({
        name: 'plain_insert_planning',
        text,
        values: plainRow(`workload-${w}-${n}`, 1, benchEvent(n++)),
      });
      return 1;
    }, table);
  } finally {
    await ctx.closePool(pool);
  }
}

/** RegisterWorkload from 16 clients, one channel each, as 16 independent callers would have. */
async function withCommandClients<T>(
  ctx: BenchContext,
  address: string,
  token: string,
  body: (command: (w: number) => Promise<number>) => Promise<T>,
): Promise<T> {
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
    { length: COMMAND_CLIENTS },
    () => new Constructor(address, credentials.createInsecure()),
  );
  let k = 0;
  try {
    return await body(async (w) => {
      await registerWorkload(stubs[w]!, token, `wl-${ctx.runId}-${w}-${k++}`);
      return 1;
    });
  } finally {
    for (const stub of stubs) stub.close();
  }
}

/**
 * planning.command.w16: commands/s through the platform against the bare grpc-js transport doing
 * the same INSERT (grpc-ceiling.child.ts), both running, measured alternately in the same rounds;
 * and, as a reference row, the same commands/s against the raw INSERT rate.
 */
async function commandRows(ctx: BenchContext): Promise<BenchResult[]> {
  return withPlainInsert(ctx, 'plain_planning', (plainInsert, table) =>
    withCeilingServer(ctx, table, (ceilingAddress) =>
      withCommandClients(ctx, ceilingAddress, 'unused', (transport) =>
        withPlanningService(ctx, (address, token) =>
          withCommandClients(ctx, address, token, async (command) => {
            const platform = await compareRounds(
              ctx,
              'planning.command.w16',
              () => measureWindow(ctx.sizes, COMMAND_CLIENTS, transport),
              () => measureWindow(ctx.sizes, COMMAND_CLIENTS, command),
            );
            const insert = await compareRounds(
              ctx,
              'planning.command.w16.insert',
              () => measureWindow(ctx.sizes, COMMAND_CLIENTS, plainInsert),
              () => measureWindow(ctx.sizes, COMMAND_CLIENTS, command),
            );
            return [
              row('planning.command.w16', 'events/s', platform.value, platform.baseline),
              row('planning.command.w16.insert', 'events/s', insert.value, insert.baseline),
            ];
          }),
        ),
      ),
    ),
  );
}

/** Forks grpc-ceiling.child.ts (a bare grpc-js server doing the baseline's INSERT per call). */
async function withCeilingServer<T>(
  ctx: BenchContext,
  table: string,
  body: (address: string) => Promise<T>,
): Promise<T> {
  const args: CeilingChildArgs = {
    databaseUrl: ctx.databaseUrl,
    table,
    connections: COMMAND_CLIENTS,
  };
  const child = fork(join(__dirname, 'grpc-ceiling.child.ts'), [JSON.stringify(args)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`grpc ceiling server exited (${code})`)));
      child.on('message', (message: CeilingChildMessage) =>
        message.kind === 'ready' ? resolve(message.port) : reject(new Error(message.message)),
      );
    });
    return await body(`127.0.0.1:${port}`);
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => (clearTimeout(timer), resolve()));
      child.send('stop');
    });
  }
}

/**
 * Reference figure for planning.command.w16, no target: the same 16 gRPC clients against a bare
 * grpc-js server that only runs the baseline's INSERT per call. Its ratio is the most any gRPC
 * command path can reach against the raw INSERT on this machine.
 */
async function transportRow(ctx: BenchContext): Promise<BenchResult> {
  return withPlainInsert(ctx, 'plain_transport', (plainInsert, table) =>
    withCeilingServer(ctx, table, (address) =>
      withCommandClients(ctx, address, 'unused', async (command) => {
        const { baseline, value } = await compareRounds(
          ctx,
          'planning.command.w16.transport',
          () => measureWindow(ctx.sizes, COMMAND_CLIENTS, plainInsert),
          () => measureWindow(ctx.sizes, COMMAND_CLIENTS, command),
        );
        return row('planning.command.w16.transport', 'events/s', value, baseline);
      }),
    ),
  );
}

interface AllocationProcess {
  /** Wall times (ms) of `runs` consecutive allocations of this process's portfolio. */
  time(runs: number): Promise<number[]>;
  stop(): void;
}

/** Forks allocation.child.ts for one portfolio shape and waits until it has generated and warmed up. */
async function startAllocation(
  shape: PortfolioShape,
  warmupMs: number,
): Promise<AllocationProcess> {
  const args: AllocationChildArgs = { shape, warmupMs };
  const child = fork(join(__dirname, 'allocation.child.ts'), [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let waiting: { resolve: (ms: number[]) => void; reject: (error: Error) => void } | undefined;
  let markReady!: () => void;
  let fail!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (fail = reject)));
  const failWith = (error: Error) => {
    fail(error);
    waiting?.reject(error);
    waiting = undefined;
  };
  child.on('message', (message: AllocationChildMessage) => {
    if (message.kind === 'ready') markReady();
    else if (message.kind === 'error')
      failWith(new Error(`allocation child (${shape.candidates}): ${message.message}`));
    else {
      waiting?.resolve([...message.ms]);
      waiting = undefined;
    }
  });
  child.once('exit', (code) =>
    failWith(new Error(`allocation child (${shape.candidates}) exited with ${code}`)),
  );
  const stop = () => {
    if (child.connected) child.disconnect();
  };
  try {
    await ready;
  } catch (error) {
    stop();
    throw error;
  }
  return {
    time: (runs) =>
      new Promise<number[]>((resolve, reject) => {
        waiting = { resolve, reject };
        child.send({ runs } satisfies AllocationChildRequest);
      }),
    stop,
  };
}

const SMALL: PortfolioShape = { candidates: 10_000, teams: 50, edges: 2_000 };
const LARGE: PortfolioShape = { candidates: 100_000, teams: 500, edges: 20_000 };
/** Small allocations per round: about the work of the one large allocation beside it. */
const SMALL_PER_ROUND = 10;

/**
 * Each size in its own fresh process (allocation.child.ts), warmed up for the harness's warm-up
 * time (the first large allocations run up to twice as long as later ones); rounds alternate ten
 * small allocations with one large one, so load that comes and goes hits both sides, and each
 * side reports the median of its allocations.
 */
async function scalingRow(ctx: BenchContext): Promise<BenchResult> {
  const rounds = ctx.sizes.quick ? 5 : 11;
  const small = await startAllocation(SMALL, ctx.sizes.warmupMs);
  try {
    const large = await startAllocation(LARGE, ctx.sizes.warmupMs);
    try {
      // Per round: 10 consecutive 10k allocations (10 × the 10k time) against one 100k allocation,
      // the same work for about the same wall time, so load passing during a round hits both
      // sides alike; a median of single 10k runs would skip the loaded ones the 100k run cannot.
      const tenSmallMs: number[] = [];
      const largeMs: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const times = await small.time(SMALL_PER_ROUND);
        tenSmallMs.push(times.reduce((sum, t) => sum + t, 0));
        largeMs.push(...(await large.time(1)));
      }
      const [tenSmall, largeMedian] = [percentile(tenSmallMs, 50), percentile(largeMs, 50)];
      const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
      ctx.log(
        `  planning.allocate.scaling: rounds: 10 × 10,000 candidates ${list(tenSmallMs)} ms; 100,000 candidates ${list(largeMs)} ms`,
      );
      ctx.log(
        `  planning.allocate.scaling: 10,000 candidates ${(tenSmall / SMALL_PER_ROUND).toFixed(1)} ms, 100,000 candidates ${largeMedian.toFixed(1)} ms`,
      );
      // Linear growth: the large run takes as long as ten small ones, ratio 1.0.
      return row('planning.allocate.scaling', 'ms', largeMedian, tenSmall);
    } finally {
      large.stop();
    }
  } finally {
    small.stop();
  }
}

export const planningBenches: BenchArea = {
  area: 'planning',
  rows: [
    'planning.command.w16',
    'planning.command.w16.insert',
    'planning.command.w16.transport',
    'planning.allocate.scaling',
  ],
  async run(ctx, only, emit) {
    if (only('planning.allocate.scaling')) emit(await scalingRow(ctx));
    if (only('planning.command.w16') || only('planning.command.w16.insert'))
      for (const result of await commandRows(ctx)) emit(result);
    if (only('planning.command.w16.transport')) emit(await transportRow(ctx));
  },
};
