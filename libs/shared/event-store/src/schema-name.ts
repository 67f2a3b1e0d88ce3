import { createHash } from 'node:crypto';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema names are interpolated into DDL and SQL text, so they are restricted to plain lower-case
 * identifiers rather than escaped: a service name never needs more.
 */
export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      `invalid event store schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*, at most 63 characters`,
    );
  }
  return schema;
}

export function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** The LISTEN/NOTIFY channel on which appends are announced to other processes. */
export function channelName(schema: string): string {
  return `${schema}.events`;
}

/**
 * The announcement of appends: NOTIFY on the channel as a quoted identifier, in the simple
 * protocol. `SELECT pg_notify($1, '')` was parsed, planned and bound anew on every call, about
 * twice the backend's and the client's CPU per notification, and refused a channel name over 63
 * bytes ("channel name too long": a schema name of 57 or more characters) that LISTEN, which takes
 * an identifier, truncates. NOTIFY truncates it the same way, so listener and announcer agree.
 */
export function notifyStatement(schema: string): string {
  return `NOTIFY ${quoteIdent(channelName(schema))}`;
}

/**
 * Prepared-statement names are per connection and silently truncated to 63 bytes by the server;
 * a short digest of the schema keeps them unique however long the schema name is.
 */
export function statementName(schema: string, kind: string): string {
  return `es_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}_${kind}`;
}
