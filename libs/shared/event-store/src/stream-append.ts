import type { Pool } from 'pg';
import { ValidationError } from '@trainyard/kernel';
import { assertStorableName, toEventPayload, type EventPayload } from './event-payload';
import type { AppendResult, ExpectedVersion, NewEvent } from './event-store.types';
import { appendStatements, type Statement } from './stream-append.sql';
import { WrongExpectedVersion } from './wrong-expected-version.error';

interface AppendRow {
  current_version: string;
  position: string | null;
  transaction_id: string | null;
}

interface InsertedRow {
  position: string;
  transaction_id: string;
}

interface GroupRow {
  stream_id: string;
  stream_version: number;
  position: string;
  transaction_id: string;
}

interface QueuedAppend {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly expected: number;
  readonly payload: readonly EventPayload[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const MAX_ANY_ATTEMPTS = 20;

/** The most events in one group statement (7 parameters each, prepared once per size). */
const MAX_GROUP_ROWS = 100;

/**
 * Batches up to this size at an exact version are one multi-row VALUES statement (prepared once per
 * size and connection), larger ones unnest arrays: each event's JSON is then a parameter of its
 * own instead of an element of a jsonb[] literal that the client escapes and the server re-parses.
 */
const MAX_VALUES_BATCH = 100;

/** The append path of one schema's event store: checks the expected version, inserts, reports. */
export class StreamAppender {
  private readonly sql: ReturnType<typeof appendStatements>;

  /** Exact-version appends of this event-loop turn, sent together when it ends (groupCommit). */
  private turn: QueuedAppend[] = [];

  constructor(
    private readonly pool: Pool,
    schema: string,
    /** Told of every successful append (the store signals subscribers). */
    private readonly appended: (events: readonly EventPayload[]) => void,
    /**
     * Group commit: the exact-version appends made in one turn of the event loop go out together
     * (one statement, one commit) when the turn ends; else each is its own statement at once.
     */
    private readonly groupCommit = false,
  ) {
    this.sql = appendStatements(schema);
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
    assertStorableName(streamId, 'streamId');
    if (events.length === 0)
      throw new ValidationError('events', `The append to ${streamId} has no events.`);
    const expected = expectedVersionParam(expectedVersion);
    const payload = events.map((event, i) => toEventPayload(event, `events[${i}]`));
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
      this.appended(payload);
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
   * An append at an exact expected version: its own statement at once, or with groupCommit queued
   * for the end of this event-loop turn. A busy service reads many requests in one turn (every
   * socket that became readable), so their appends share one statement, one round trip, one
   * backend wake-up and one commit, at no added wait: the group leaves before the loop polls again.
   */
  private appendAt(
    streamId: string,
    expectedVersion: ExpectedVersion,
    expected: number,
    payload: readonly EventPayload[],
  ): Promise<AppendResult> {
    if (!this.groupCommit) return this.appendAlone(streamId, expectedVersion, expected, payload);
    if (this.turn.length === 0) setImmediate(() => this.sendTurn());
    return new Promise((resolve, reject) =>
      this.turn.push({ streamId, expectedVersion, expected, payload, resolve, reject }),
    );
  }

  /** Sends this turn's appends, in groups of at most MAX_GROUP_ROWS events. */
  private sendTurn(): void {
    const waiting = this.turn;
    this.turn = [];
    for (let from = 0; from < waiting.length;) {
      let rows = 0;
      let to = from;
      while (to < waiting.length) {
        const size = waiting[to]!.payload.length;
        if (to > from && rows + size > MAX_GROUP_ROWS) break;
        rows += size;
        to++;
      }
      const group = waiting.slice(from, to);
      from = to;
      void this.appendGroup(group)
        // Not expected (appendGroup answers each append itself); an append already answered
        // ignores a second answer.
        .catch((error: unknown) => group.forEach((a) => a.reject(error)));
    }
  }

  /**
   * Several appends in one statement. Each gets its own answer: its result, or WrongExpectedVersion
   * when its version check failed (its rows are not inserted; the others' are). When PostgreSQL
   * refuses the statement (a key collision: some stream is past its expected version; a value of
   * one append it cannot store), nothing was written and each append is sent on its own, so each
   * reports its own outcome; a lost connection is every append's answer.
   */
  private async appendGroup(group: readonly QueuedAppend[]): Promise<void> {
    if (group.length === 1) {
      const [one] = group as [QueuedAppend];
      await this.appendAlone(one.streamId, one.expectedVersion, one.expected, one.payload).then(
        one.resolve,
        one.reject,
      );
      return;
    }
    let rows: GroupRow[];
    try {
      rows = (await this.pool.query<GroupRow>(groupAppendQuery(this.sql.appendGroup, group))).rows;
    } catch (error) {
      // PostgreSQL refused the statement (a key collision, a value it cannot store): nothing was
      // written, and each append sent alone gets its own answer. No answer at all (a lost
      // connection) is every append's, as it would be alone: the statement may have committed,
      // and sending again would turn that into WrongExpectedVersion.
      if (typeof (error as { code?: unknown } | null)?.code !== 'string') {
        for (const a of group) a.reject(error);
        return;
      }
      await Promise.all(
        group.map((a) =>
          this.appendAlone(a.streamId, a.expectedVersion, a.expected, a.payload).then(
            a.resolve,
            a.reject,
          ),
        ),
      );
      return;
    }
    const inserted = new Map<string, GroupRow>();
    for (const row of rows) inserted.set(`${row.stream_version}:${row.stream_id}`, row);
    const done: EventPayload[] = [];
    const behind: QueuedAppend[] = [];
    for (const a of group) {
      const first = inserted.get(`${a.expected + 1}:${a.streamId}`);
      const last = inserted.get(`${a.expected + a.payload.length}:${a.streamId}`);
      if (!first || !last) {
        behind.push(a);
        continue;
      }
      done.push(...a.payload);
      a.resolve({
        streamId: a.streamId,
        nextExpectedVersion: a.expected + a.payload.length,
        firstPosition: BigInt(first.position),
        lastPosition: BigInt(last.position),
        transactionId: BigInt(first.transaction_id),
      });
    }
    if (done.length > 0) this.appended(done);
    await Promise.all(
      behind.map(async (a) =>
        a.reject(
          new WrongExpectedVersion(
            a.streamId,
            a.expectedVersion,
            await this.currentVersion(a.streamId).catch(() => a.expected),
          ),
        ),
      ),
    );
  }

  /**
   * The append at an exact expected version (0: a new stream): a plain INSERT … RETURNING, no read
   * of the current version, no CTE. No row back means version `expected` is not there (the stream
   * is behind); a key collision means a version after it is.
   */
  private async appendAlone(
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
    this.appended(payload);
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

function groupAppendQuery(statement: (rows: number) => Statement, group: readonly QueuedAppend[]) {
  const values: unknown[] = [];
  for (const a of group)
    a.payload.forEach((e, i) =>
      values.push(
        a.streamId,
        a.expected,
        a.expected + i + 1,
        e.type,
        e.schemaVersion,
        e.data,
        e.metadata,
      ),
    );
  return { ...statement(values.length / 7), values };
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
    throw new ValidationError(
      'expectedVersion',
      `invalid expected version ${expected}: use 'any', 'no_stream' or a version of 0 or more.`,
    );
  return expected;
}
