import type { Pool, PoolClient } from 'pg';
import type { ParsedCloudEvent } from './cloud-event.parse';
import type { ConsumedMessage } from './message-bus.port';
import type { MessageOutcome } from './message-attempts';
import { quoteSchema } from './messaging.migrations';
import { isTransientDatabaseError } from './transient-database-error';

/**
 * Runs inside the transaction that records the event in the inbox: write the effect through `tx`
 * (and nothing outside it) and both commit together, or neither does.
 */
export type IdempotentHandler = (
  event: ParsedCloudEvent,
  tx: PoolClient,
  message: ConsumedMessage,
) => Promise<void>;

/** The inbox statement for one consumer group, one message per transaction. */
export class InboxMessage {
  private readonly insert: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly groupId: string,
  ) {
    this.insert = `INSERT INTO ${quoteSchema(schema)}.inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
  }

  /**
   * One transaction: insert (group, event id) into the inbox — if it is already there, commit and
   * report a duplicate — then the handler, then commit.
   */
  async attempt(
    event: ParsedCloudEvent,
    message: ConsumedMessage,
    handler: IdempotentHandler,
  ): Promise<MessageOutcome> {
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
      const inserted = await client.query(this.insert, [this.groupId, event.id]);
      if (inserted.rowCount === 0) {
        await client.query('COMMIT');
        return { kind: 'duplicate' };
      }
      inHandler = true;
      await handler(event, client, message);
      const commit = await client.query('COMMIT');
      // A handler that swallowed a failed statement leaves the transaction aborted, and COMMIT
      // then quietly rolls back: that must count as a failure, not as handled.
      if (commit.command !== 'COMMIT')
        throw new Error('the transaction was rolled back: a statement in the handler failed');
      return { kind: 'handled' };
    } catch (error) {
      const transient = isTransientDatabaseError(error);
      broken = transient;
      await client.query('ROLLBACK').catch(() => (broken = true));
      return { kind: inHandler && !transient ? 'failed' : 'retry', error };
    } finally {
      client.release(broken);
    }
  }
}
