import type { Pool, PoolClient } from 'pg';
import type { ParsedCloudEvent } from './cloud-event.parse';
import type { ConsumedMessage } from './message-bus.port';
import { quoteSchema } from './messaging.migrations';
import { isTransientDatabaseError } from './transient-database-error';

/** One consumed message and its parsed CloudEvent. */
export interface InboxEvent {
  readonly event: ParsedCloudEvent;
  readonly message: ConsumedMessage;
}

/**
 * Writes the effects of several events through `tx`, which has written nothing yet when the handler
 * is called (unless the consumer records its inbox first): reads the handler makes first (a
 * stream's current version) precede the transaction's first write, so its transaction id is
 * assigned after them (the event store's commit-safe order, ADR 0003, for events appended with
 * `appendInTransaction`). The consumer records the events in the inbox in the same transaction:
 * after the handler, or before it with `recordInboxFirst`. What the handler returns runs after
 * COMMIT (e.g. `announceAppends`); its failure is only logged.
 */
export type IdempotentBatchHandler = (
  events: readonly InboxEvent[],
  tx: PoolClient,
) => Promise<(() => Promise<void>) | void>;

export type BatchOutcome =
  | {
      readonly kind: 'handled';
      readonly handled: number;
      readonly duplicates: number;
      readonly afterCommit?: () => Promise<void>;
    }
  // The handler's fault: the caller falls back to one message at a time.
  | { readonly kind: 'failed'; readonly error: unknown }
  // The database's, or another member handled some of the events meanwhile: tried again as it is.
  | { readonly kind: 'retry'; readonly error: unknown };

/** Another consumer recorded some of the batch's events between the inbox check and the insert. */
class InboxRace extends Error {
  constructor(expected: number, inserted: number) {
    super(`inbox: ${expected - inserted} of ${expected} events were recorded concurrently`);
    this.name = 'InboxRace';
  }
}

/** The first occurrence of each item whose event id is in `ids`. */
const firstOf = (items: readonly InboxEvent[], ids: ReadonlySet<string>): InboxEvent[] => {
  const left = new Set(ids);
  return items.filter((item) => left.delete(item.event.id));
};

/** Inbox statements for one consumer group, prepared once. */
export class InboxBatch {
  private readonly known: string;
  private readonly insert: string;

  /**
   * `recordFirst`: the inbox rows are inserted before the handler, in the statement that finds the
   * duplicates (IdempotentConsumerOptions.recordInboxFirst).
   */
  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly groupId: string,
    private readonly recordFirst = false,
  ) {
    const inbox = `${quoteSchema(schema)}.inbox`;
    this.known = `SELECT event_id FROM ${inbox} WHERE consumer_group = $1 AND event_id = ANY($2::text[])`;
    this.insert = `INSERT INTO ${inbox} (consumer_group, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`;
  }

  /**
   * One transaction for `items`: skip the event ids already in the inbox (and repeats within the
   * batch), run the handler on the rest, insert their inbox rows, commit. All or nothing.
   */
  async attempt(
    items: readonly InboxEvent[],
    handler: IdempotentBatchHandler,
  ): Promise<BatchOutcome> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return { kind: 'retry', error };
    }
    let inHandler = false;
    let broken = false;
    try {
      await client.query('BEGIN');
      const ids = [...new Set(items.map((i) => i.event.id))];
      const fresh = this.recordFirst
        ? await this.recordNew(client, ids, items)
        : await this.skipKnown(client, ids, items);
      if (fresh.length === 0) {
        await client.query('ROLLBACK');
        return { kind: 'handled', handled: 0, duplicates: items.length };
      }
      inHandler = true;
      const afterCommit = await handler(fresh, client);
      if (!this.recordFirst) {
        const freshIds = fresh.map((i) => i.event.id);
        const inserted = await client.query(this.insert, [this.groupId, freshIds]);
        if (inserted.rowCount !== freshIds.length)
          throw new InboxRace(freshIds.length, inserted.rowCount ?? 0);
      }
      const commit = await client.query('COMMIT');
      // A handler that swallowed a failed statement leaves the transaction aborted, and COMMIT
      // then quietly rolls back: that is a failure, not handled.
      if (commit.command !== 'COMMIT')
        throw new Error('the transaction was rolled back: a statement in the handler failed');
      return {
        kind: 'handled',
        handled: fresh.length,
        duplicates: items.length - fresh.length,
        ...(afterCommit ? { afterCommit } : {}),
      };
    } catch (error) {
      const transient = isTransientDatabaseError(error);
      broken = transient;
      await client.query('ROLLBACK').catch(() => (broken = true));
      const retry = !inHandler || transient || error instanceof InboxRace;
      return retry ? { kind: 'retry', error } : { kind: 'failed', error };
    } finally {
      client.release(broken);
    }
  }

  /** The items not in the inbox yet, found by a lookup (their rows are inserted after the handler). */
  private async skipKnown(
    client: PoolClient,
    ids: readonly string[],
    items: readonly InboxEvent[],
  ): Promise<InboxEvent[]> {
    const { rows } = await client.query<{ event_id: string }>(this.known, [this.groupId, ids]);
    const known = new Set(rows.map((r) => r.event_id));
    return firstOf(items, new Set(ids.filter((id) => !known.has(id))));
  }

  /**
   * The items whose inbox rows this statement inserted. An id another member is inserting waits for
   * that transaction: committed, it is a duplicate here; rolled back, it is inserted here.
   */
  private async recordNew(
    client: PoolClient,
    ids: readonly string[],
    items: readonly InboxEvent[],
  ): Promise<InboxEvent[]> {
    const { rows } = await client.query<{ event_id: string }>(`${this.insert} RETURNING event_id`, [
      this.groupId,
      ids,
    ]);
    return firstOf(items, new Set(rows.map((r) => r.event_id)));
  }
}
