import type { Pool } from 'pg';
import { AppendSignal } from './append-signal';
import { START_CHECKPOINT, maxCheckpoint } from './checkpoint';
import { COMMIT_FRONTIER } from './commit-frontier.sql';
import type {
  AppendResult,
  Checkpoint,
  EventMetadata,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
} from './event-store.types';
import { assertSchemaName, quoteIdent, statementName } from './schema-name';
import { StoreSubscription } from './subscription';
import { UpcasterRegistry } from './upcasters';
import { WrongExpectedVersion } from './wrong-expected-version.error';

export interface PostgresEventStoreOptions {
  readonly upcasters?: UpcasterRegistry;
  /**
   * Announce appends to other processes with NOTIFY and LISTEN for theirs (two dedicated
   * connections, opened lazily). Default true; without it, other processes' subscribers poll.
   */
  readonly crossProcessSignal?: boolean;
  /**
   * The most NOTIFYs per window sent to other processes during a burst of appends (leading and
   * trailing edge, so an isolated append is announced at once). Default 20 ms.
   */
  readonly notifyThrottleMs?: number;
  /** Errors of the background signalling connections (they never fail an append). */
  readonly onBackgroundError?: (error: unknown) => void;
}

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

interface AppendRow {
  current_version: string;
  position: string | null;
  transaction_id: string | null;
}

interface InsertedRow {
  position: string;
  transaction_id: string;
}

interface EventPayload {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
}

interface Statement {
  readonly name: string;
  readonly text: string;
}

const MAX_ANY_ATTEMPTS = 20;

/**
 * Batches up to this size at an exact version are one multi-row VALUES statement (prepared once per
 * size and connection), larger ones unnest arrays: each event's JSON is then a parameter of its
 * own instead of an element of a jsonb[] literal that the client escapes and the server re-parses.
 */
const MAX_VALUES_BATCH = 100;

const EVENT_COLUMNS =
  'position, transaction_id::text AS transaction_id, stream_id, stream_version, event_type, schema_version, data, metadata, recorded_at';

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_NOTIFY_THROTTLE_MS = 20;

/** The event store of one service's schema. Create one per (pool, schema) and share it. */
export class PostgresEventStore implements EventStore {
  readonly schema: string;
  private readonly upcasters: UpcasterRegistry;
  private readonly signal: AppendSignal;
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly pool: Pool,
    schema: string,
    options: PostgresEventStoreOptions = {},
  ) {
    this.schema = assertSchemaName(schema);
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.sql = statements(schema);
    this.signal = new AppendSignal(
      pool,
      schema,
      options.onBackgroundError ?? (() => undefined),
      options.crossProcessSignal ?? true,
      options.notifyThrottleMs ?? DEFAULT_NOTIFY_THROTTLE_MS,
    );
  }

  /**
   * One statement, one round trip. With an exact expected version N the events take versions
   * N+1… if version N is committed in the statement's snapshot (for N = 0 there is nothing to
   * check); with 'any' the stream's current version is read in the statement's snapshot and the
   * events take the next versions. Versions are contiguous, so "N exists and N+1 is free" is
   * "the stream is at N". Two racing appends to one stream collide on the (stream_id,
   * stream_version) key, and the loser fails whole. Because a successful append always saw every
   * earlier version of its stream committed before its own first write, a later version always
   * has a later xid — the per-stream half of commit-safe order (ADR 0003).
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    expectedVersion: ExpectedVersion = 'any',
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`append to ${streamId}: no events`);
    if (!streamId) throw new Error('append: empty stream id');
    const expected = expectedVersionParam(expectedVersion);
    const payload = events.map(toPayload);
    if (expected !== null) return this.appendAt(streamId, expectedVersion, expected, payload);
    const query =
      payload.length === 1
        ? singleAppendQuery(this.sql.appendAny.one, streamId, null, payload[0]!)
        : batchAppendQuery(this.sql.appendAny.many, streamId, null, payload);
    for (let attempt = 1; ; attempt++) {
      let rows: AppendRow[];
      try {
        rows = (await this.pool.query<AppendRow>(query)).rows;
      } catch (error) {
        if (!isStreamVersionCollision(error)) throw error;
        // 'any' retries: its next attempt's snapshot sees the winner committed.
        if (attempt < MAX_ANY_ATTEMPTS) continue;
        throw new WrongExpectedVersion(
          streamId,
          expectedVersion,
          await this.currentVersion(streamId),
        );
      }
      const first = rows[0];
      if (!first?.position || !first.transaction_id)
        throw new Error(`append to ${streamId}: no result`);
      this.signal.appended(payload);
      return {
        streamId,
        nextExpectedVersion: Number(first.current_version) + rows.length,
        firstPosition: BigInt(first.position),
        lastPosition: BigInt(rows[rows.length - 1]!.position!),
        transactionId: BigInt(first.transaction_id),
      };
    }
  }

  /**
   * The append at an exact expected version (0: a new stream): a plain INSERT … RETURNING, no read
   * of the current version, no CTE. No row back means version `expected` is not there (the stream
   * is behind); a key collision means a version after it is.
   */
  private async appendAt(
    streamId: string,
    expectedVersion: ExpectedVersion,
    expected: number,
    payload: readonly EventPayload[],
  ): Promise<AppendResult> {
    const statements = expected === 0 ? this.sql.appendNew : this.sql.appendAt;
    const query =
      payload.length === 1
        ? singleAppendQuery(statements.one, streamId, expected, payload[0]!)
        : payload.length <= MAX_VALUES_BATCH
          ? valuesAppendQuery(statements.values(payload.length), streamId, expected, payload)
          : batchAppendQuery(statements.many, streamId, expected, payload);
    let rows: InsertedRow[];
    try {
      rows = (await this.pool.query<InsertedRow>(query)).rows;
    } catch (error) {
      if (!isStreamVersionCollision(error)) throw error;
      rows = [];
    }
    if (rows.length === 0)
      throw new WrongExpectedVersion(
        streamId,
        expectedVersion,
        await this.currentVersion(streamId),
      );
    if (rows.length !== payload.length)
      throw new Error(`append to ${streamId}: ${rows.length} of ${payload.length} events inserted`);
    this.signal.appended(payload);
    // RETURNING gives the rows in insertion order, which is ORDER BY x.ord: versions ascending.
    return {
      streamId,
      nextExpectedVersion: expected + rows.length,
      firstPosition: BigInt(rows[0]!.position),
      lastPosition: BigInt(rows[rows.length - 1]!.position),
      transactionId: BigInt(rows[0]!.transaction_id),
    };
  }

  private async currentVersion(streamId: string): Promise<number> {
    const { rows } = await this.pool.query<{ version: number | null }>({
      name: this.sql.currentVersion.name,
      text: this.sql.currentVersion.text,
      values: [streamId],
    });
    return rows[0]?.version ?? 0;
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

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const { events, checkpoint, isEnd } = await this.readCommitted(
      options.after ?? START_CHECKPOINT,
      options.batchSize ?? DEFAULT_BATCH_SIZE,
      options.types,
    );
    return { events, checkpoint, isEnd };
  }

  subscribe(options: SubscribeOptions): Subscription {
    return new StoreSubscription(
      {
        read: (after, batchSize, types) => this.readCommitted(after, batchSize, types),
        end: () => this.endCheckpoint(),
        onAppend: (waker) => this.signal.subscribe(waker, options.types),
      },
      options,
    );
  }

  /** Closes the signalling connections (not the pool). Stop subscriptions first. */
  async close(): Promise<void> {
    await this.signal.close();
  }

  /**
   * One statement, one snapshot: events below the commit frontier (every transaction of this
   * database before it has ended, so nothing can still commit in between — ADR 0003, see
   * commit-frontier.sql.ts), and that frontier itself, which lets the checkpoint move past
   * everything already read even when the batch is filtered or empty.
   */
  private async readCommitted(
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

  private async endCheckpoint(): Promise<Checkpoint> {
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

export function createEventStore(
  pool: Pool,
  schema: string,
  options?: PostgresEventStoreOptions,
): PostgresEventStore {
  return new PostgresEventStore(pool, schema, options);
}

function toPayload(event: NewEvent): EventPayload {
  if (typeof event.type !== 'string' || event.type.length === 0)
    throw new Error('append: event without a type');
  if (event.data === undefined) throw new Error(`append: ${event.type} without data`);
  const metadata = event.metadata as EventMetadata | undefined;
  if (!metadata?.eventId || !metadata.correlationId || !metadata.actor) {
    throw new Error(`append: ${event.type} metadata needs eventId, correlationId and actor`);
  }
  const schemaVersion = event.schemaVersion ?? 1;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1)
    throw new Error(`append: ${event.type} invalid schemaVersion`);
  return {
    type: event.type,
    schemaVersion,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(metadata),
  };
}

function singleAppendQuery(
  statement: Statement,
  streamId: string,
  expected: number | null,
  event: EventPayload,
) {
  return {
    ...statement,
    values: [streamId, expected, event.type, event.schemaVersion, event.data, event.metadata],
  };
}

function batchAppendQuery(
  statement: Statement,
  streamId: string,
  expected: number | null,
  events: readonly EventPayload[],
) {
  return {
    ...statement,
    values: [
      streamId,
      expected,
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion),
      events.map((e) => e.data),
      events.map((e) => e.metadata),
    ],
  };
}

function valuesAppendQuery(
  statement: Statement,
  streamId: string,
  expected: number,
  events: readonly EventPayload[],
) {
  const values: unknown[] = [streamId, expected];
  for (const e of events) values.push(e.type, e.schemaVersion, e.data, e.metadata);
  return { ...statement, values };
}

function isStreamVersionCollision(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'events_pkey';
}

function expectedVersionParam(expected: ExpectedVersion): number | null {
  if (expected === 'any') return null;
  if (expected === 'no_stream') return 0;
  if (!Number.isInteger(expected) || expected < 0)
    throw new Error(`invalid expected version ${expected}`);
  return expected;
}

function statements(schema: string) {
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
  // The LEFT JOIN returns the current version even when the expected-version check inserted nothing.
  const append = (current: string, columns: string, offset: string, from: string, orderBy = '') => `
WITH cur AS (${current}),
ins AS (
  INSERT INTO ${events} (stream_id, stream_version, event_type, schema_version, data, metadata)
  SELECT $1, cur.v + ${offset}, ${columns}
    FROM cur${from}
   WHERE $2::bigint IS NULL OR cur.v = $2::bigint ${orderBy}
  RETURNING position, transaction_id)
SELECT cur.v::text AS current_version, ins.position::text AS position, ins.transaction_id::text AS transaction_id
  FROM cur LEFT JOIN ins ON true
 ORDER BY ins.position`;
  const appendStatements = (suffix: string, current: string) => ({
    one: {
      name: statementName(schema, `append1${suffix}`),
      text: append(current, '$3::text, $4::integer, $5::jsonb, $6::jsonb', '1', ''),
    },
    many: {
      name: statementName(schema, `appendn${suffix}`),
      text: append(
        current,
        'x.type, x.schema_version, x.data, x.metadata',
        'x.ord',
        ', unnest($3::text[], $4::integer[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS x(type, schema_version, data, metadata, ord)',
        'ORDER BY x.ord',
      ),
    },
  });
  // Exact expected version $2: INSERT … SELECT … WHERE version $2 exists (nothing to check for 0).
  const insertAt = (columns: string, offset: string, from: string, where: string, orderBy = '') => `
INSERT INTO ${events} (stream_id, stream_version, event_type, schema_version, data, metadata)
SELECT $1, $2::integer + ${offset}, ${columns}${from}${where} ${orderBy}
RETURNING position::text AS position, transaction_id::text AS transaction_id`;
  const exists = `EXISTS (SELECT 1 FROM ${events} v WHERE v.stream_id = $1 AND v.stream_version = $2::integer)`;
  const where = (check: boolean) => (check ? `\n WHERE ${exists}` : '');
  const valuesStatements = new Map<number, Statement>();
  const valuesStatement = (suffix: string, check: boolean) => (size: number) => {
    let statement = valuesStatements.get(size * 2 + (check ? 1 : 0));
    if (!statement) {
      const tuples = Array.from({ length: size }, (_, i) => {
        const p = 3 + i * 4;
        return `(${i + 1}, $${p}::text, $${p + 1}::integer, $${p + 2}::jsonb, $${p + 3}::jsonb)`;
      });
      statement = {
        name: statementName(schema, `insertv${size}${suffix}`),
        text: insertAt(
          'x.type, x.schema_version, x.data, x.metadata',
          'x.ord',
          `\n  FROM (VALUES ${tuples.join(', ')}) AS x(ord, type, schema_version, data, metadata)`,
          where(check),
          '\n ORDER BY x.ord',
        ),
      };
      valuesStatements.set(size * 2 + (check ? 1 : 0), statement);
    }
    return statement;
  };
  const atStatements = (suffix: string, check: boolean) => ({
    values: valuesStatement(suffix, check),
    one: {
      name: statementName(schema, `insert1${suffix}`),
      text: insertAt(
        '$3::text, $4::integer, $5::jsonb, $6::jsonb',
        '1',
        '',
        check ? `\n WHERE ${exists}` : '',
      ),
    },
    many: {
      name: statementName(schema, `insertn${suffix}`),
      text: insertAt(
        'x.type, x.schema_version, x.data, x.metadata',
        'x.ord::integer',
        '\n  FROM unnest($3::text[], $4::integer[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS x(type, schema_version, data, metadata, ord)',
        check ? `\n WHERE ${exists}` : '',
        '\n ORDER BY x.ord',
      ),
    },
  });
  return {
    appendAny: appendStatements(
      '',
      `SELECT coalesce(max(stream_version), 0) AS v FROM ${events} WHERE stream_id = $1`,
    ),
    appendAt: atStatements('_at', true),
    appendNew: atStatements('_new', false),
    currentVersion: {
      name: statementName(schema, 'version'),
      text: `SELECT max(stream_version) AS version FROM ${events} WHERE stream_id = $1`,
    },
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
