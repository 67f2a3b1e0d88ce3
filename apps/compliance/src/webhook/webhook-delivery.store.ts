import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { NotFoundError, RuleViolation } from '@trainyard/kernel';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** A row of webhook_deliveries as the dispatcher needs it. */
export interface WebhookDelivery {
  readonly deliveryId: string;
  readonly subscriberId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  readonly attempts: number;
}

/** What an operator sees of a dead letter: never the body's secret (there is none) nor the URL. */
export interface DeadLetterView {
  readonly deliveryId: string;
  readonly subscriberId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly lastStatus: number | null;
  readonly createdAt: string;
  readonly deadAt: string;
  readonly replayedCount: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]*$/;

/**
 * The `webhook-id` of one event for one subscriber: stable across retries and replays (the spec
 * asks receivers to deduplicate on it), different per subscriber.
 */
export const deliveryIdOf = (subscriberId: string, eventId: string): string =>
  `msg_${createHash('sha256').update(`${subscriberId}\n${eventId}`).digest('hex').slice(0, 32)}`;

/** SQL over webhook_deliveries (migration 0004). Times come from the database clock. */
export class WebhookDeliveryStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    if (!SCHEMA.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    this.table = `"${schema}".webhook_deliveries`;
  }

  /** In the inbox transaction: one pending row per subscriber; a second enqueue of the same event is a no-op. */
  async enqueue(
    tx: PoolClient,
    event: { id: string; type: string; body: string },
    subscriberIds: readonly string[],
  ): Promise<void> {
    for (const subscriberId of subscriberIds) {
      await tx.query(
        `INSERT INTO ${this.table} (delivery_id, subscriber_id, event_id, event_type, body, status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, now(), now())
         ON CONFLICT (subscriber_id, event_id) DO NOTHING`,
        [deliveryIdOf(subscriberId, event.id), subscriberId, event.id, event.type, event.body],
      );
    }
  }

  /**
   * Due pending rows, leased for `leaseMs` (their next attempt pushed past it) so that a second
   * dispatcher skips them and a crash mid-send retries them once the lease runs out.
   */
  async claimDue(limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const { rows } = await this.pool.query<{
      delivery_id: string;
      subscriber_id: string;
      event_id: string;
      event_type: string;
      body: string;
      attempts: number;
    }>(
      `UPDATE ${this.table} SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       WHERE delivery_id IN (
         SELECT delivery_id FROM ${this.table}
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING delivery_id, subscriber_id, event_id, event_type, body, attempts`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({
      deliveryId: row.delivery_id,
      subscriberId: row.subscriber_id,
      eventId: row.event_id,
      eventType: row.event_type,
      body: row.body,
      attempts: row.attempts,
    }));
  }

  async markDelivered(deliveryId: string, status: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET status = 'delivered', attempts = attempts + 1, last_status = $2,
         last_error = NULL, delivered_at = now() WHERE delivery_id = $1 AND status = 'pending'`,
      [deliveryId, status],
    );
  }

  /** A failed attempt: retried after `retryInMs`, or dead-lettered when it was the last one. */
  async markFailed(
    deliveryId: string,
    failure: { error: string; status?: number },
    retryInMs: number | undefined,
  ): Promise<void> {
    await this.pool.query(
      retryInMs === undefined
        ? `UPDATE ${this.table} SET status = 'dead', attempts = attempts + 1, last_error = $2,
             last_status = $3, dead_at = now() WHERE delivery_id = $1 AND status = 'pending'`
        : `UPDATE ${this.table} SET attempts = attempts + 1, last_error = $2, last_status = $3,
             next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
           WHERE delivery_id = $1 AND status = 'pending'`,
      retryInMs === undefined
        ? [deliveryId, failure.error.slice(0, 2_000), failure.status ?? null]
        : [deliveryId, failure.error.slice(0, 2_000), failure.status ?? null, retryInMs],
    );
  }

  async deadLetters(page: number, pageSize: number): Promise<Page<DeadLetterView>> {
    const [{ rows }, count] = await Promise.all([
      this.pool.query<{
        delivery_id: string;
        subscriber_id: string;
        event_id: string;
        event_type: string;
        attempts: number;
        last_error: string | null;
        last_status: number | null;
        created_at: Date;
        dead_at: Date;
        replayed_count: number;
      }>(
        `SELECT delivery_id, subscriber_id, event_id, event_type, attempts, last_error, last_status,
                created_at, dead_at, replayed_count
         FROM ${this.table} WHERE status = 'dead' ORDER BY dead_at DESC, delivery_id
         LIMIT $1 OFFSET $2`,
        [pageSize, (page - 1) * pageSize],
      ),
      this.pool.query<{ total: string }>(
        `SELECT count(*) AS total FROM ${this.table} WHERE status = 'dead'`,
      ),
    ]);
    return {
      items: rows.map((row) => ({
        deliveryId: row.delivery_id,
        subscriberId: row.subscriber_id,
        eventId: row.event_id,
        eventType: row.event_type,
        attempts: row.attempts,
        lastError: row.last_error,
        lastStatus: row.last_status,
        createdAt: row.created_at.toISOString(),
        deadAt: row.dead_at.toISOString(),
        replayedCount: row.replayed_count,
      })),
      page,
      pageSize,
      total: Number(count.rows[0]?.total ?? 0),
    };
  }

  /** A dead letter back to pending with a fresh attempt budget; anything else is refused. */
  async replay(deliveryId: string): Promise<{ deliveryId: string; status: DeliveryStatus }> {
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.table} SET status = 'pending', attempts = 0, next_attempt_at = now(),
         dead_at = NULL, replayed_count = replayed_count + 1
       WHERE delivery_id = $1 AND status = 'dead'`,
      [deliveryId],
    );
    if (rowCount === 1) return { deliveryId, status: 'pending' };
    const { rows } = await this.pool.query<{ status: DeliveryStatus }>(
      `SELECT status FROM ${this.table} WHERE delivery_id = $1`,
      [deliveryId],
    );
    if (!rows[0])
      throw new NotFoundError(
        'dead letter',
        deliveryId,
        `Dead letter ${deliveryId} does not exist.`,
      );
    throw new RuleViolation(
      'webhook-replay-dead-only',
      `Delivery ${deliveryId} is ${rows[0].status}, not dead-lettered: only dead letters can be replayed.`,
    );
  }

  async status(
    deliveryId: string,
  ): Promise<{ status: DeliveryStatus; attempts: number } | undefined> {
    const { rows } = await this.pool.query<{ status: DeliveryStatus; attempts: number }>(
      `SELECT status, attempts FROM ${this.table} WHERE delivery_id = $1`,
      [deliveryId],
    );
    return rows[0];
  }
}
