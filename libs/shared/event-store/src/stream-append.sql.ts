import { quoteIdent, statementName } from './schema-name';

export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** The append statements of one schema: at any version, at an exact one, to a new stream. */
export function appendStatements(schema: string) {
  const events = `${quoteIdent(schema)}.events`;
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
  const anyStatements = (suffix: string, current: string) => ({
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
  // Appends of several commands, each at its own exact version, in one statement (group commit):
  // a row is inserted when its append's version is there ($expected = 0: nothing to check). The
  // rows of one append share that check, so an append is inserted whole or not at all.
  // OFFSET 0 keeps the check an index lookup per row: a plain EXISTS under OR may be planned as a
  // hashed subplan, which reads the whole events table into a hash on every execution. The planner
  // takes that on a fresh (unanalysed) table, and the prepared statement keeps the plan until the
  // table is next analysed: 260 µs of PostgreSQL CPU per event at 16 writers (bench/README.md).
  const groupStatements = new Map<number, Statement>();
  const groupStatement = (rows: number): Statement => {
    let statement = groupStatements.get(rows);
    if (!statement) {
      const tuples = Array.from({ length: rows }, (_, i) => {
        const p = 1 + i * 7;
        return `(${i + 1}, $${p}::text, $${p + 1}::integer, $${p + 2}::integer, $${p + 3}::text, $${p + 4}::integer, $${p + 5}::jsonb, $${p + 6}::jsonb)`;
      });
      statement = {
        name: statementName(schema, `insertg${rows}`),
        text: `
INSERT INTO ${events} (stream_id, stream_version, event_type, schema_version, data, metadata)
SELECT x.stream_id, x.version, x.type, x.schema_version, x.data, x.metadata
  FROM (VALUES ${tuples.join(', ')}) AS x(ord, stream_id, expected, version, type, schema_version, data, metadata)
 WHERE x.expected = 0
    OR EXISTS (SELECT 1 FROM ${events} v WHERE v.stream_id = x.stream_id AND v.stream_version = x.expected OFFSET 0)
 ORDER BY x.ord
RETURNING stream_id, stream_version, position::text AS position, transaction_id::text AS transaction_id`,
      };
      groupStatements.set(rows, statement);
    }
    return statement;
  };
  return {
    appendGroup: groupStatement,
    appendAny: anyStatements(
      '',
      `SELECT coalesce(max(stream_version), 0) AS v FROM ${events} WHERE stream_id = $1`,
    ),
    appendAt: atStatements('_at', true),
    appendNew: atStatements('_new', false),
    currentVersion: {
      name: statementName(schema, 'version'),
      text: `SELECT max(stream_version) AS version FROM ${events} WHERE stream_id = $1`,
    },
  };
}
