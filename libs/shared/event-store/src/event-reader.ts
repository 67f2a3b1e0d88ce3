import type { Pool } from 'pg';
import { maxCheckpoint } from './checkpoint';
import { COMMIT_FRONTIER } from './commit-frontier.sql';
import type {
  Checkpoint,
  EventMetadata,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
} from './event-store.types';
import { quoteIdent, statementName } from './schema-name';
import type { UpcasterRegistry } from './upcasters';

interface EventRow {
  position: string;
  transaction_id: string;
  stream_id: string;
  stream_version: number;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

interface ReadAllRow extends Partial<EventRow> {
  frontier: string;
  pending: boolean;
}

const EVENT_COLUMNS =
  'position, transaction_id::text AS transaction_id, stream_id, stream_version, event_type, schema_version, data, metadata, recorded_at';

/** The read path of one schema's event store: one stream, or all events in commit-safe order. */
export class EventReader {
  private readonly sql: ReturnType<typeof readStatements>;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly upcasters: UpcasterRegistry,
  ) {
    this.sql = readStatements(schema);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const backwards = options.direction === 'backwards';
    const statement = backwards ? this.sql.readStreamBackwards : this.sql.readStreamForwards;
    const from = options.fromVersion ?? (backwards ? 2_147_483_647 : 1);
    const { rows } = await this.pool.query<EventRow>({
      name: statement.name,
      text: statement.text,
      values: [streamId, from, options.maxCount ?? null],
    });
    return rows.map((row) => this.toEvent(row));
  }

  /**
   * One statement, one snapshot: events below the commit frontier (every transaction of this
   * database before it has ended, so nothing can still commit in between — ADR 0003, see
   * commit-frontier.sql.ts), and that frontier itself, which lets the checkpoint move past
   * everything already read even when the batch is filtered or empty.
   */
  async readCommitted(
    after: Checkpoint,
    batchSize: number,
    types: readonly string[] | undefined,
  ): Promise<ReadAllResult & { pending: boolean }> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`invalid batch size ${batchSize}`);
    const filtered = types !== undefined;
    const statement = filtered ? this.sql.readAllTyped : this.sql.readAll;
    const values: unknown[] = [
      after.transactionId.toString(),
      after.position.toString(),
      batchSize,
    ];
    if (filtered) values.push(types);
    const { rows } = await this.pool.query<ReadAllRow>({
      name: statement.name,
      text: statement.text,
      values,
    });
    const first = rows[0];
    if (!first) throw new Error('readAll: no frontier row');
    const events = rows
      .filter((row): row is ReadAllRow & EventRow => row.position != null)
      .map((row) => this.toEvent(row));
    const last = events[events.length - 1];
    const isEnd = events.length < batchSize;
    let checkpoint = last ? { transactionId: last.transactionId, position: last.position } : after;
    if (isEnd)
      checkpoint = maxCheckpoint(checkpoint, {
        transactionId: BigInt(first.frontier),
        position: 0n,
      });
    return { events, checkpoint, isEnd, pending: first.pending };
  }

  async endCheckpoint(): Promise<Checkpoint> {
    const { rows } = await this.pool.query<{ frontier: string }>(
      `SELECT ${COMMIT_FRONTIER}::text AS frontier`,
    );
    return { transactionId: BigInt(rows[0]?.frontier ?? '0'), position: 0n };
  }

  private toEvent(row: EventRow): StoredEvent {
    const event: StoredEvent = {
      position: BigInt(row.position),
      transactionId: BigInt(row.transaction_id),
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      type: row.event_type,
      schemaVersion: row.schema_version,
      data: row.data,
      metadata: row.metadata,
      recordedAt: row.recorded_at,
    };
    return this.upcasters.size === 0 ? event : this.upcasters.upcast(event);
  }
}

function readStatements(schema: string) {
  const events = `${quoteIdent(schema)}.events`;
  const readAll = (typed: boolean) => `
SELECT s.frontier::text AS frontier, s.pending, b.*
  FROM (SELECT f.frontier,
               -- max() reads one index entry; an EXISTS over transaction_id >= frontier was planned
               -- as a sequential scan of the whole table (the frontier is unknown at plan time).
               coalesce((SELECT max(p.transaction_id) FROM ${events} p) >= f.frontier, false) AS pending
          FROM (SELECT ${COMMIT_FRONTIER} AS frontier) f) s
  LEFT JOIN LATERAL (
    SELECT ${EVENT_COLUMNS} FROM ${events} e
     WHERE e.transaction_id < s.frontier
       AND (e.transaction_id, e.position) > ($1::xid8, $2::bigint)${typed ? '\n       AND e.event_type = ANY ($4::text[])' : ''}
     ORDER BY e.transaction_id, e.position
     LIMIT $3) b ON true
 ORDER BY b.transaction_id::xid8, b.position`;
  return {
    readStreamForwards: {
      name: statementName(schema, 'stream_fwd'),
      text: `SELECT ${EVENT_COLUMNS} FROM ${events} WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3`,
    },
    readStreamBackwards: {
      name: statementName(schema, 'stream_bwd'),
      text: `SELECT ${EVENT_COLUMNS} FROM ${events} WHERE stream_id = $1 AND stream_version <= $2 ORDER BY stream_version DESC LIMIT $3`,
    },
    readAll: { name: statementName(schema, 'all'), text: readAll(false) },
    readAllTyped: { name: statementName(schema, 'all_typed'), text: readAll(true) },
  };
}
