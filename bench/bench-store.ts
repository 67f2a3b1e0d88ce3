import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import {
  EventSealer,
  createEventStore,
  migrateEventStore,
  type PostgresEventStore,
} from '@trainyard/event-store';
import { seedEvents } from './bench-events';
import type { BenchContext } from './bench-harness';

export interface BenchStore {
  readonly schema: string;
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  /** Runs `body` with the EventSealer sealing in the background, as it does beside a service's appends. */
  sealing<T>(body: () => Promise<T>): Promise<T>;
  /** Seals everything committed now, in the foreground; logs instead of throwing if the sealer fails. */
  sealAll(): Promise<void>;
  /** Events stored but not (yet) covered by the Merkle tree, and the sealer's errors so far. */
  sealState(): Promise<{
    readonly unsealed: number;
    readonly sealerErrors: number;
    readonly lastSealerError?: string;
  }>;
}

interface OpenBenchStore extends BenchStore {
  close(): Promise<void>;
}

/** How the bench store is created, beyond its defaults. */
export interface BenchStoreOptions {
  /**
   * Group commit, as the platform's services create their store (PlatformModule): the appends of
   * one event-loop turn share a statement and a commit. Default false, the store's own default.
   */
  readonly groupCommit?: boolean;
}

/**
 * A fresh event store as a service runs it: the store on a pool of `connections`, NOTIFY on (the
 * default), and an EventSealer on its own small pool, as a separate sealer instance would, so the
 * writers' pool size stays exactly `connections`. The sealer runs only inside `sealing()`: an idle
 * sealer still polls, and it must not weigh on other measurements.
 */
async function openBenchStore(
  ctx: BenchContext,
  label: string,
  connections: number,
  options: BenchStoreOptions = {},
): Promise<OpenBenchStore> {
  const schema = ctx.schema(label);
  const pool = ctx.pool(connections);
  const sealerPool = ctx.pool(2);
  await migrateEventStore(pool, schema);
  let backgroundErrors = 0;
  const store = createEventStore(pool, schema, {
    onBackgroundError: () => backgroundErrors++,
    groupCommit: options.groupCommit ?? false,
  });
  let sealerErrors = 0;
  let lastSealerError: string | undefined;
  const sealerFailed = (error: unknown): void => {
    sealerErrors++;
    lastSealerError = error instanceof Error ? error.message : String(error);
  };
  // In a worker thread, as a service runs it (createAuditSealer): off the appenders' event loop.
  const sealer = new EventSealer(sealerPool, schema, { onError: sealerFailed, worker: true });
  return {
    schema,
    pool,
    store,
    sealing: async (body) => {
      sealer.start();
      try {
        return await body();
      } finally {
        await sealer.stop();
      }
    },
    sealAll: async () => {
      const started = performance.now();
      try {
        const sealed = await sealer.sealPending();
        if (sealed > 0)
          ctx.log(
            `  ${label}: sealed ${sealed} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
      } catch (error) {
        sealerFailed(error);
        ctx.log(`  ${label}: sealing failed: ${lastSealerError}`);
      }
    },
    sealState: async () => {
      const { rows } = await sealerPool.query<{ unsealed: string }>(
        `SELECT (SELECT count(*) FROM "${schema}".events) - (SELECT coalesce(max(t.tree_size), 0) FROM "${schema}".event_tree_batches t) AS unsealed`,
      );
      return {
        unsealed: Number(rows[0]?.unsealed ?? 0),
        sealerErrors,
        ...(lastSealerError ? { lastSealerError } : {}),
      };
    },
    close: async () => {
      await sealer.stop();
      await store.close();
      await ctx.closePool(sealerPool);
      await ctx.closePool(pool);
      if (backgroundErrors > 0) ctx.log(`  ${label}: ${backgroundErrors} store signalling errors`);
    },
  };
}

export async function withBenchStore<T>(
  ctx: BenchContext,
  label: string,
  connections: number,
  body: (bench: BenchStore) => Promise<T>,
  options: BenchStoreOptions = {},
): Promise<T> {
  const bench = await openBenchStore(ctx, label, connections, options);
  try {
    return await body(bench);
  } finally {
    await bench.close();
  }
}

const largeStores = new WeakMap<BenchContext, Promise<BenchStore>>();

/**
 * The run's one store holding `sizes.largeStore` events (seeded once, then sealed, 16
 * connections), shared by append.growth and read.catchup: seeding is the slowest part of a run.
 * With group commit, as append.growth's empty store (only appends use it; read.catchup reads).
 */
export function largeStore(ctx: BenchContext): Promise<BenchStore> {
  let shared = largeStores.get(ctx);
  if (!shared) {
    shared = (async () => {
      const bench = await openBenchStore(ctx, 'large', 16, { groupCommit: true });
      ctx.onDispose(() => bench.close());
      const started = performance.now();
      await seedEvents(bench.pool, bench.schema, ctx.sizes.largeStore);
      // The seed's own WAL would otherwise trigger a checkpoint in the middle of a measurement.
      await bench.pool.query('CHECKPOINT');
      // A store that size is sealed up to its recent events; a seeded backlog would have the sealer catch up meanwhile.
      await bench.sealAll();
      ctx.log(
        `  seeded and sealed ${ctx.sizes.largeStore.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      return bench;
    })();
    largeStores.set(ctx, shared);
  }
  return shared;
}

/** Logs how far the sealer kept up; a stuck sealer means the append figures do not include sealing. */
export async function reportSealer(
  ctx: BenchContext,
  label: string,
  bench: BenchStore,
): Promise<void> {
  const state = await bench.sealState();
  const errors =
    state.sealerErrors > 0
      ? `, ${state.sealerErrors} sealer errors (last: ${state.lastSealerError})`
      : '';
  ctx.log(`  ${label}: ${state.unsealed} events unsealed at the end${errors}`);
}
