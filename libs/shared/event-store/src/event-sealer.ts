import type { Pool, PoolClient } from 'pg';
import { AppendSignal } from './append-signal';
import { COMMIT_FRONTIER } from './commit-frontier.sql';
import { GENESIS_HASH, chainHash } from './hash-chain';
import { assertSchemaName, quoteIdent } from './schema-name';
import { SEALED_COLUMNS, sealLockKey, toSealableEvent } from './sealed-fields.query';
import type { SealedRow } from './sealed-fields.query';

export interface EventSealerOptions {
  /** The longest wait between two passes when no append wakes the sealer. Default 1000 ms. */
  readonly intervalMs?: number;
  /** The shortest gap between two passes, however often appends wake it. Default min(100, intervalMs). */
  readonly minIntervalMs?: number;
  /** Events sealed per transaction. Default 1000. */
  readonly batchSize?: number;
  /** LISTEN for appends of any process and seal soon after them. Default true; otherwise only polls. */
  readonly wakeOnAppend?: boolean;
  /** Errors of background passes and of the LISTEN connection; the sealer retries on its next pass. */
  readonly onError?: (error: unknown) => void;
}

interface LastSeal {
  readonly seq: bigint;
  readonly transactionId: bigint;
  readonly position: bigint;
  readonly hash: Buffer;
}

interface BatchResult {
  readonly sealed: number;
  /** Another instance holds the lock (background passes only try it). */
  readonly skipped: boolean;
}

/**
 * Extends the seal chain (`event_seals`) over events in commit-safe order:
 * hash_n = SHA-256(hash_{n-1} || canonicalEventBytes(event_n)). Only events below the snapshot
 * frontier are sealed, so no transaction still in flight can later commit an event in front of a
 * seal. Each batch is one short transaction under a per-schema advisory lock: any number of
 * instances may run, one seals at a time, and a crashed one leaves nothing half-written.
 */
export class EventSealer {
  readonly schema: string;
  private readonly intervalMs: number;
  private readonly minIntervalMs: number;
  private readonly batchSize: number;
  private readonly onError: (error: unknown) => void;
  private readonly sql: ReturnType<typeof statements>;
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
      positive(options.minIntervalMs ?? 100, 'minIntervalMs'),
      this.intervalMs,
    );
    this.batchSize = positive(options.batchSize ?? 1000, 'batchSize');
    this.onError = options.onError ?? (() => undefined);
    this.sql = statements(schema);
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

  /** Stops background sealing after the pass in flight and closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.loop;
    this.loop = undefined;
    await this.signal?.close();
    this.signal = undefined;
  }

  /**
   * Seals every event that is commit-safe now, waiting for another instance's batch if need be.
   * Returns how many events this call sealed.
   */
  async sealPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const { sealed } = await this.sealBatch(true);
      total += sealed;
      if (sealed < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const lastPassAt = Date.now();
      let next = this.intervalMs;
      try {
        const { sealed, skipped } = await this.sealBatch(false);
        if (sealed === this.batchSize) next = 0;
        // Committed events wait behind a transaction still in flight: look again soon.
        else if (!skipped && (await this.hasEventsBeyondFrontier())) next = this.minIntervalMs;
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

  private async sealBatch(waitForLock: boolean): Promise<BatchResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (waitForLock) {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          sealLockKey(this.schema),
        ]);
      } else {
        const { rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
          [sealLockKey(this.schema)],
        );
        if (!rows[0]?.locked) {
          await client.query('ROLLBACK');
          return { sealed: 0, skipped: true };
        }
      }
      const sealed = await this.sealUnderLock(client);
      await client.query('COMMIT');
      return { sealed, skipped: false };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async sealUnderLock(client: PoolClient): Promise<number> {
    // Read after taking the lock: each statement's fresh snapshot sees the previous holder's seals.
    const last = await this.lastSeal(client);
    const { rows } = await client.query<SealedRow>(this.sql.pendingEvents, [
      (last?.transactionId ?? 0n).toString(),
      (last?.position ?? 0n).toString(),
      this.batchSize,
    ]);
    if (rows.length === 0) return 0;
    let seq = last?.seq ?? 0n;
    let hash = last?.hash ?? GENESIS_HASH;
    const seqs: string[] = [];
    const transactionIds: string[] = [];
    const positions: string[] = [];
    const hashes: string[] = [];
    for (const row of rows) {
      const event = toSealableEvent(row);
      seq += 1n;
      hash = chainHash(hash, event);
      seqs.push(seq.toString());
      transactionIds.push(event.transactionId.toString());
      positions.push(event.position.toString());
      hashes.push(hash.toString('hex'));
    }
    await client.query(this.sql.insertSeals, [seqs, transactionIds, positions, hashes]);
    return rows.length;
  }

  private async lastSeal(client: PoolClient): Promise<LastSeal | undefined> {
    const { rows } = await client.query<{
      seq: string;
      transaction_id: string;
      position: string;
      hash: string;
    }>(this.sql.lastSeal);
    const row = rows[0];
    if (!row) return undefined;
    return {
      seq: BigInt(row.seq),
      transactionId: BigInt(row.transaction_id),
      position: BigInt(row.position),
      hash: Buffer.from(row.hash, 'hex'),
    };
  }

  private async hasEventsBeyondFrontier(): Promise<boolean> {
    const { rows } = await this.pool.query<{ pending: boolean }>(this.sql.beyondFrontier);
    return rows[0]?.pending ?? false;
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

function statements(schema: string) {
  const s = quoteIdent(schema);
  return {
    lastSeal: `SELECT seq::text AS seq, transaction_id::text AS transaction_id, position::text AS position,
                      encode(hash, 'hex') AS hash
                 FROM ${s}.event_seals s ORDER BY s.seq DESC LIMIT 1`,
    pendingEvents: `SELECT ${SEALED_COLUMNS} FROM ${s}.events e
                     WHERE e.transaction_id < ${COMMIT_FRONTIER}
                       AND (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                     ORDER BY e.transaction_id, e.position
                     LIMIT $3`,
    insertSeals: `INSERT INTO ${s}.event_seals (seq, transaction_id, position, hash)
                  SELECT x.seq, x.transaction_id::xid8, x.position, decode(x.hash, 'hex')
                    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) AS x(seq, transaction_id, position, hash)`,
    // max() reads one index entry; an EXISTS over transaction_id >= frontier is planned as a
    // sequential scan of the whole table, because the frontier is unknown at plan time.
    beyondFrontier: `SELECT coalesce((SELECT max(transaction_id) FROM ${s}.events) >= ${COMMIT_FRONTIER}, false) AS pending`,
  };
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`EventSealer: ${name} must be a positive integer, got ${value}`);
  return value;
}
