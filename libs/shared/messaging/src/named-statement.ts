import { createHash } from 'node:crypto';

/** A statement as pg takes it: with a name, it is prepared once per connection. */
export interface NamedStatement {
  readonly name?: string;
  readonly text: string;
}

/**
 * `text` as a named statement, so PostgreSQL parses, analyses and plans it once per connection
 * instead of on every execution: for the planning workloads upsert (40 columns, one ON CONFLICT
 * assignment each) and its load, that was about a third of the projection's PostgreSQL CPU per
 * batch (issue 10). The name is derived from the text, so two texts never share a name (pg refuses
 * one name for two texts on a connection).
 */
export const namedStatement = (text: string): NamedStatement => ({
  name: `msg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`,
  text,
});
