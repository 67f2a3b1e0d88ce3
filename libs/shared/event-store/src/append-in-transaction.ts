import type { PoolClient } from 'pg';
import { ValidationError } from '@trainyard/kernel';
import { assertStorableName, toEventPayload } from './event-payload';
import type { NewEvent } from './event-store.types';
import { assertSchemaName, notifyStatement, quoteIdent } from './schema-name';

/** Events for one stream, at the stream's known current version (0: a new stream). */
export interface StreamAppend {
  readonly streamId: string;
  /** The stream's version before these events: the caller knows it (e.g. a row it holds locked). */
  readonly expectedVersion: number;
  readonly events: readonly NewEvent[];
}

/**
 * Appends to many streams in ONE statement inside the caller's transaction (`client` between
 * BEGIN and COMMIT), so a state change and its events commit together (issue 12's job runtime
 * writes run rows and JobRunEvents this way). Exact versions only: a racing writer collides on
 * the (stream_id, stream_version) key and the caller's transaction fails whole. Commit-safe order
 * per stream (ADR 0003) holds when every writer of a stream holds one row lock for the stream
 * from its first write to its commit, which the caller guarantees. After COMMIT, call
 * `announceAppends` so subscribers in every process wake (the store's NOTIFY channel).
 */
export async function appendInTransaction(
  client: PoolClient,
  schema: string,
  appends: readonly StreamAppend[],
): Promise<number> {
  const statement = appendStatement(schema, appends, 1);
  if (!statement) return 0;
  const { rowCount } = await client.query(statement.sql, statement.values);
  return rowCount ?? 0;
}

/** The INSERT of `appendInTransaction`, for a caller that sends it as part of a larger statement. */
export interface AppendStatement {
  /** `INSERT INTO … SELECT * FROM unnest($n…)`, parameters numbered from `firstParam`. */
  readonly sql: string;
  readonly values: unknown[];
  /** The number of events it inserts. */
  readonly events: number;
}

/**
 * The same multi-stream append as `appendInTransaction`, as SQL and parameters numbered from
 * `firstParam`, so a caller can send it as a data-modifying CTE of its own statement (one round
 * trip for a state change and its events; same rules: inside the caller's transaction, exact
 * versions, one row lock per stream). Undefined when there are no events.
 */
export function appendStatement(
  schema: string,
  appends: readonly StreamAppend[],
  firstParam: number,
): AppendStatement | undefined {
  const streams: string[] = [];
  const versions: number[] = [];
  const types: string[] = [];
  const schemaVersions: number[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  appends.forEach((append, a) => {
    assertStorableName(append.streamId, `appends[${a}].streamId`);
    if (!Number.isInteger(append.expectedVersion) || append.expectedVersion < 0)
      throw new ValidationError(
        `appends[${a}].expectedVersion`,
        `invalid expected version ${append.expectedVersion}: use a version of 0 or more.`,
      );
    append.events.forEach((event, i) => {
      const payload = toEventPayload(event, `appends[${a}].events[${i}]`);
      streams.push(append.streamId);
      versions.push(append.expectedVersion + i + 1);
      types.push(payload.type);
      schemaVersions.push(payload.schemaVersion);
      data.push(payload.data);
      metadata.push(payload.metadata);
    });
  });
  if (streams.length === 0) return undefined;
  const events = `${quoteIdent(assertSchemaName(schema))}.events`;
  const p = (i: number) => `$${firstParam + i}`;
  return {
    sql: `INSERT INTO ${events} (stream_id, stream_version, event_type, schema_version, data, metadata)
     SELECT * FROM unnest(${p(0)}::text[], ${p(1)}::integer[], ${p(2)}::text[], ${p(3)}::integer[], ${p(4)}::jsonb[], ${p(5)}::jsonb[])`,
    values: [streams, versions, types, schemaVersions, data, metadata],
    events: streams.length,
  };
}

/** Wakes the store's subscribers in every process (LISTEN on the store's channel) after a commit. */
export async function announceAppends(
  client: { query(text: string): Promise<unknown> },
  schema: string,
): Promise<void> {
  await client.query(notifyStatement(assertSchemaName(schema)));
}
