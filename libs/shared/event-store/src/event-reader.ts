import type { Pool } from 'pg';
import { maxCheckpoint } from './checkpoint';
import { COMMIT_FRONTIER } from './commit-frontier.sql';
import { assertStorableName } from './event-payload';
import type {
  Checkpoint,
  EventMetadata,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
} from './event-store.types';
import { quoteIdent, statementName } from './schema-name';
import type { UpcasterRegistry } from './upcasters';

/**
 * A row of EVENT_COLUMNS as an array (rowMode 'array'): pg then builds no object per row, only the
 * parsed values, which counts where a subscription reads batches of hundreds.
 */
type EventRow = [
  position: string,
  transactionId: string,
  streamId: string,
  streamVersion: number,
  eventType: string,
  schemaVersion: number,
  data: unknown,
  metadata: EventMetadata,
  recordedAt: Date,
];

/** readAll's row: the frontier and whether a transaction at or past it is pending, then the event (all null when there is none). */
type ReadAllRow = [frontier: string, pending: boolean, ...event: EventRow];

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
    // No stream can have an id the append refuses; a lone surrogate would be sent as U+FFFD and
    // read another stream's events.
    assertStorableName(streamId, 'streamId');
    const backwards = options.direction === 'backwards';
    const statement = backwards ? this.sql.readStreamBackwards : this.sql.readStreamForwards;
    const from = options.fromVersion ?? (backwards ? 2_147_483_647 : 1);
    const { rows } = await this.pool.query<EventRow>({
      name: statement.name,
      text: statement.text,
      values: [streamId, from, options.maxCount ?? null],
      rowMode: 'array',
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
      rowMode: 'array',
    });
    const first = rows[0];
    if (!first) throw new Error('readAll: no frontier row');
    const events: StoredEvent[] = [];
    for (const row of rows) if (row[2] != null) events.push(this.toEvent(row, 2));
    const last = events[events.length - 1];
    const isEnd = events.length < batchSize;
    let checkpoint = last ? { transactionId: last.transactionId, position: last.position } : after;
    if (isEnd)
      checkpoint = maxCheckpoint(checkpoint, {
        transactionId: BigInt(first[0]),
        position: 0n,
      });
    return { events, checkpoint, isEnd, pending: first[1] };
  }

  async endCheckpoint(): Promise<Checkpoint> {
    const { rows } = await this.pool.query<{ frontier: string }>(
      `SELECT ${COMMIT_FRONTIER}::text AS frontier`,
    );
    return { transactionId: BigInt(rows[0]?.frontier ?? '0'), position: 0n };
  }

  /** The event in `row` from index `at` on (EVENT_COLUMNS' order). */
  private toEvent(row: EventRow | ReadAllRow, at = 0): StoredEvent {
    const event: StoredEvent = {
      position: BigInt(row[at] as string),
      transactionId: BigInt(row[at + 1] as string),
      streamId: row[at + 2] as string,
      streamVersion: row[at + 3] as number,
      type: row[at + 4] as string,
      schemaVersion: row[at + 5] as number,
      data: row[at + 6],
      metadata: row[at + 7] as EventMetadata,
      recordedAt: row[at + 8] as Date,
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
