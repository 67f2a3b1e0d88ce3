// One side of planning.allocate.scaling in a process of its own: a fresh heap that holds only its
// generated portfolio, so garbage left by the rows measured before (event store, Kafka) and by the
// other portfolio size is not collected on this one's clock. Started by planning.bench.ts with
// fork(); times `allocate()` when asked, so the parent can alternate the two sizes in rounds.
import { performance } from 'node:perf_hooks';
import { allocate } from '@trainyard/planning-domain';
import { generatePortfolio, type PortfolioShape } from '@trainyard/planning-domain/testing';

export interface AllocationChildArgs {
  readonly shape: PortfolioShape;
  /**
   * Untimed allocations for at least this long (and at least twice) before the first timed one,
   * so JIT tiers, heap sizing and the collector's pretenuring decisions have settled.
   */
  readonly warmupMs: number;
}

/** Parent → child: time this many allocations, one after the other. */
export interface AllocationChildRequest {
  readonly runs: number;
}

export type AllocationChildMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'timed'; readonly ms: readonly number[] }
  | { readonly kind: 'error'; readonly message: string };

const send = (message: AllocationChildMessage): void => {
  process.send?.(message);
};

const args = JSON.parse(process.argv[2] ?? '{}') as AllocationChildArgs;
try {
  const input = generatePortfolio(42, args.shape);
  const warmupStarted = performance.now();
  for (let i = 0; i < 2 || performance.now() - warmupStarted < args.warmupMs; i++) allocate(input);
  process.on('message', (request: AllocationChildRequest) => {
    try {
      const ms: number[] = [];
      for (let i = 0; i < request.runs; i++) {
        const started = performance.now();
        allocate(input);
        ms.push(performance.now() - started);
      }
      send({ kind: 'timed', ms });
    } catch (error) {
      send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready' });
} catch (error) {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
