import type { Pool } from 'pg';
import { AppendSignal } from './append-signal';
import { SealerBatches, type Batches } from './event-sealer.batch';
import { WorkerBatches, workerConnection } from './event-sealer.thread';
import { SealerCheckpoints, type CheckpointOptions } from './event-sealer.checkpoints';
import type { SignedTreeCheckpoint } from './signed-checkpoint';
import { assertSchemaName } from './schema-name';

export interface EventSealerOptions {
  /** The longest wait between two passes when no append wakes the sealer. Default 1000 ms. */
  readonly intervalMs?: number;
  /**
   * The shortest gap between two passes, however often appends wake it. Default min(200, intervalMs).
   * It only binds under steady appends (an isolated append after a quiet spell is sealed at once),
   * so it sets how large batches grow with load: each pass has a fixed cost (four round trips, the
   * commit-frontier query, a cold wake-up), which at 100 ms made up about a tenth of the sealer's CPU at
   * 1,000 appends/s. Lower it for a shorter lag from commit to seal.
   */
  readonly minIntervalMs?: number;
  /** Events sealed per transaction. Default 1000. */
  readonly batchSize?: number;
  /** LISTEN for appends of any process and seal soon after them. Default true; otherwise only polls. */
  readonly wakeOnAppend?: boolean;
  /** Errors of background passes and of the LISTEN connection; the sealer retries on its next pass. */
  readonly onError?: (error: unknown) => void;
  /** Signs checkpoints of the tree; without it the sealer only seals. */
  readonly checkpoints?: CheckpointOptions;
  /**
   * Seal in a worker thread, on one connection of its own opened with the pool's options (which
   * must then hold no functions, such as a password callback). Default false: passes run in the
   * caller's thread on the pool. The JavaScript of a pass (row parsing, JSON.parse,
   * canonicalisation, hashing: about 16 µs per event) otherwise runs on the event loop of whatever
   * shares the process, such as a service's appenders (issue 10). The LISTEN connection and the
   * checkpoints stay on the pool. `stop()` ends the worker, also after `sealPending()` without `start()`.
   */
  readonly worker?: boolean;
}

/**
 * Extends the RFC 6962 Merkle tree over events in commit-safe order (`event_tree_batches`, one row
 * per batch; leaf = SHA-256(0x00 ‖ canonicalEventBytes(event))), and signs checkpoints of it.
 * Only events below the snapshot frontier are sealed, so no transaction still in flight can later
 * commit an event in front of a sealed one. Each batch is one short transaction under a per-schema
 * advisory lock: any number of instances may run, one seals at a time, and a crashed one leaves
 * nothing half-written.
 */
export class EventSealer {
  readonly schema: string;
  private readonly intervalMs: number;
  private readonly minIntervalMs: number;
  private readonly batchSize: number;
  private readonly onError: (error: unknown) => void;
  private readonly batches: Batches;
  private readonly checkpoints?: SealerCheckpoints;
  private loop?: Promise<void>;
  private signal?: AppendSignal;
  private stopped = true;
  private woken = false;
  private sleeping?: 'wakeable' | 'fixed';
  private interrupt?: () => void;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly options: EventSealerOptions = {},
  ) {
    this.schema = assertSchemaName(schema);
    this.intervalMs = positive(options.intervalMs ?? 1000, 'intervalMs');
    this.minIntervalMs = Math.min(
      positive(options.minIntervalMs ?? 200, 'minIntervalMs'),
      this.intervalMs,
    );
    this.batchSize = positive(options.batchSize ?? 1000, 'batchSize');
    this.onError = options.onError ?? (() => undefined);
    this.batches = options.worker
      ? new WorkerBatches({ connection: workerConnection(pool), schema, batchSize: this.batchSize })
      : new SealerBatches(pool, schema, this.batchSize);
    if (options.checkpoints)
      this.checkpoints = new SealerCheckpoints(
        pool,
        schema,
        options.checkpoints,
        () => this.sealPending(),
        this.onError,
      );
  }

  /** Starts background sealing; a no-op while running. */
  start(): void {
    if (this.loop) return;
    this.stopped = false;
    if (this.options.wakeOnAppend ?? true) {
      // The sealer only listens; notifyThrottleMs is for announcing, which it never does.
      this.signal = new AppendSignal(this.pool, this.schema, this.onError, true, 0);
      this.signal.subscribe(() => this.signalWake());
    }
    this.loop = this.run();
  }

  /**
   * Stops background sealing after the pass in flight and a checkpoint publication in flight (the
   * caller closes the Kafka producer it publishes with next), closes the LISTEN connection, and
   * ends the worker thread (`worker: true`) once the passes asked of it are done.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.loop;
    this.loop = undefined;
    await this.checkpoints?.published(); // never rejects: signIfDue reports its failure
    await this.signal?.close();
    this.signal = undefined;
    await this.batches.close();
  }

  /**
   * Seals every event that is commit-safe now, waiting for another instance's batch if need be.
   * Returns how many events this call sealed.
   */
  async sealPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const { sealed } = await this.batches.seal(true);
      total += sealed;
      if (sealed < this.batchSize) return total;
    }
  }

  /**
   * Seals what is commit-safe, then signs a checkpoint of the sealed tree, stores it in
   * `event_tree_checkpoints` and publishes it; rejects if a publisher fails.
   */
  async signCheckpoint(): Promise<SignedTreeCheckpoint> {
    if (!this.checkpoints) throw new Error('EventSealer: no checkpoint signer configured');
    const { checkpoint, published } = await this.checkpoints.sign();
    await published;
    return checkpoint;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const lastPassAt = Date.now();
      let next = this.intervalMs;
      try {
        const { sealed, skipped, pending } = await this.batches.seal(false);
        if (sealed === this.batchSize) next = 0;
        // Committed events wait behind a transaction still in flight: look again soon.
        else if (!skipped && pending) next = this.minIntervalMs;
      } catch (error) {
        this.onError(error);
      }
      try {
        await this.checkpoints?.signIfDue();
      } catch (error) {
        this.onError(error);
      }
      if (next > 0) {
        await this.sleep(next, true);
        // A wake-up ends the sleep early, but passes stay at least minIntervalMs apart.
        const gap = lastPassAt + this.minIntervalMs - Date.now();
        if (gap > 0) await this.sleep(gap, false);
      }
    }
  }

  private signalWake(): void {
    this.woken = true;
    if (this.sleeping === 'wakeable') this.interrupt?.();
  }

  /** Ends early on stop(), and on an append when `wakeable` (after one that came since the pass began). */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped || (wakeable && this.woken)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interrupt = undefined;
        this.sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interrupt = done;
      this.sleeping = wakeable ? 'wakeable' : 'fixed';
    });
  }
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`EventSealer: ${name} must be a positive integer, got ${value}`);
  return value;
}
