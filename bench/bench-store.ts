import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import {
  EventSealer,
  createEventStore,
  migrateEventStore,
  type PostgresEventStore,
} from '@trainyard/event-store';
import type { BenchContext } from './bench-harness';

export interface BenchStore {
  readonly schema: string;
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  /** Seals everything committed now, in the foreground; logs instead of throwing if the sealer fails. */
  sealAll(): Promise<void>;
  /** Events stored but not (yet) covered by the seal chain, and the sealer's errors so far. */
  sealState(): Promise<{
    readonly unsealed: number;
    readonly sealerErrors: number;
    readonly lastSealerError?: string;
  }>;
}

/**
 * A fresh event store as a service runs it: the store on a pool of `connections`, NOTIFY on (the
 * default), and an EventSealer sealing in the background on its own small pool, as a separate
 * sealer instance would, so the writers' pool size stays exactly `connections`.
 */
export async function withBenchStore<T>(
  ctx: BenchContext,
  label: string,
  connections: number,
  body: (bench: BenchStore) => Promise<T>,
  options: { readonly sealer?: boolean } = {},
): Promise<T> {
  const schema = ctx.schema(label);
  const pool = ctx.pool(connections);
  const sealerPool = ctx.pool(2);
  await migrateEventStore(pool, schema);
  let backgroundErrors = 0;
  const store = createEventStore(pool, schema, { onBackgroundError: () => backgroundErrors++ });
  let sealerErrors = 0;
  let lastSealerError: string | undefined;
  const sealer = new EventSealer(sealerPool, schema, {
    onError: (error) => {
      sealerErrors++;
      lastSealerError = error instanceof Error ? error.message : String(error);
    },
  });
  if (options.sealer ?? true) sealer.start();
  try {
    return await body({
      schema,
      pool,
      store,
      sealAll: async () => {
        const started = performance.now();
        try {
          const sealed = await sealer.sealPending();
          ctx.log(
            `  ${label}: sealed ${sealed} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
        } catch (error) {
          sealerErrors++;
          lastSealerError = error instanceof Error ? error.message : String(error);
          ctx.log(`  ${label}: sealing the seeded events failed: ${lastSealerError}`);
        }
      },
      sealState: async () => {
        const { rows } = await sealerPool.query<{ unsealed: string }>(
          `SELECT (SELECT count(*) FROM "${schema}".events) - (SELECT count(*) FROM "${schema}".event_seals) AS unsealed`,
        );
        return {
          unsealed: Number(rows[0]?.unsealed ?? 0),
          sealerErrors,
          ...(lastSealerError ? { lastSealerError } : {}),
        };
      },
    });
  } finally {
    await sealer.stop();
    await store.close();
    await ctx.closePool(sealerPool);
    await ctx.closePool(pool);
    if (backgroundErrors > 0) ctx.log(`  ${label}: ${backgroundErrors} store signalling errors`);
  }
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
