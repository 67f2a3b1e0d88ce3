import { fork } from 'node:child_process';
import { join } from 'node:path';
import { signDevToken } from '@trainyard/infra';
import type { PortfolioShape } from '@trainyard/planning-domain/testing';
import type {
  AllocationChildArgs,
  AllocationChildMessage,
  AllocationChildRequest,
} from './allocation.child';
import { benchEvent, createPlainTable, plainRow } from './bench-events';
import type { CeilingChildArgs, CeilingChildMessage } from './grpc-ceiling.child';
import {
  planningClients,
  registerWorkload,
  startPlanningService,
  stopPlanningService,
} from './planning-service';
import {
  compareRounds,
  measureWindow,
  percentile,
  row,
  type BenchArea,
  type BenchContext,
  type BenchResult,
} from './bench-harness';

/**
 * The built planning service as its own process (as `npm start` runs it), in a fresh schema, so the
 * figure includes gRPC, auth, the decider, the append and the service's relay, sealer and projection.
 */
async function withPlanningService<T>(
  ctx: BenchContext,
  body: (address: string, token: string) => Promise<T>,
): Promise<T> {
  const { child, address } = await startPlanningService({
    databaseUrl: ctx.databaseUrl,
    schema: ctx.schema('planning'),
    brokers: ctx.brokers,
    clientId: `trainyard-bench-planning-${ctx.runId}`,
  });
  try {
    return await body(
      address,
      await signDevToken({ roles: ['release-manager'], subject: 'bench' }),
    );
  } finally {
    await stopPlanningService(child);
  }
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
  const stubs = planningClients(address, COMMAND_CLIENTS);
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
