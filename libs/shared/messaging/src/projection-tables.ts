import type { PoolClient } from 'pg';
import { keyId } from '@trainyard/kernel';
import { namedStatement, type NamedStatement } from './named-statement';

/** What the table code needs of a view. */
export interface ViewLayout {
  readonly kind: 'row' | 'rows';
  readonly columns?: Readonly<Record<string, string>>;
  readonly groupBy?: readonly string[];
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,53}$/;

export const assertTableName = (table: string): string => {
  if (!TABLE_NAME.test(table))
    throw new Error(`projection table ${JSON.stringify(table)}: expected [a-z_][a-z0-9_]{0,53}`);
  return table;
};

interface Column {
  readonly name: string;
  readonly type: string;
  /** Filled by the server (identity ALWAYS or generated): never written. */
  readonly generated: boolean;
}

/** A table's columns and primary key as the catalog has them (the migrations are the definition). */
export interface TableShape {
  readonly columns: readonly Column[];
  readonly primaryKey: readonly string[];
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

export async function describeTable(tx: PoolClient, qualified: string): Promise<TableShape> {
  const { rows: columns } = await tx.query<Column>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            (a.attidentity = 'a' OR a.attgenerated <> '') AS generated
       FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [qualified],
  );
  const { rows: key } = await tx.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [qualified],
  );
  if (key.length === 0) throw new Error(`projection table ${qualified} has no primary key`);
  return { columns, primaryKey: key.map((k) => k.name) };
}

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

type Record_ = Record<string, unknown>;

/**
 * One view's table under one name (live or rebuild): loads the rows of a batch's keys in one
 * statement and saves the changed ones in one more (plus one for deletions, when there are any).
 * Rows travel as one JSON parameter through `jsonb_populate_recordset`: binding every cell as its
 * own parameter cost more CPU than the rest of the projection under load.
 */
export class ViewTable {
  private readonly propertyOf: ReadonlyMap<string, string>;
  private readonly keyColumns: readonly string[];
  private readonly sql: {
    load: NamedStatement;
    upsert: NamedStatement;
    delete: NamedStatement;
  };

  /**
   * `prepared`: the statements are named (prepared once per connection). For the live tables; a
   * rebuild's copies keep unnamed statements (a rebuild is one pass, and the copies are renamed
   * into place at the swap, so their prepared statements would only be left behind).
   */
  constructor(
    private readonly view: ViewLayout,
    private readonly shape: TableShape,
    qualified: string,
    prepared = false,
  ) {
    const overrides = new Map(Object.entries(view.columns ?? {}).map(([p, c]) => [c, p]));
    this.propertyOf = new Map(
      shape.columns.map((c) => [c.name, overrides.get(c.name) ?? camel(c.name)]),
    );
    this.keyColumns = view.kind === 'row' ? shape.primaryKey : (view.groupBy ?? shape.primaryKey);
    const typeOf = (name: string) => {
      const column = shape.columns.find((c) => c.name === name);
      if (!column) throw new Error(`projection table ${qualified} has no column ${name}`);
      return column.type;
    };
    const records = `jsonb_populate_recordset(NULL::${qualified}, $1::jsonb)`;
    const keyList = (columns: readonly string[]) => columns.map(quote).join(', ');
    const [single] = this.keyColumns;
    // The columns by name, not *: a prepared statement's result shape is fixed when it is planned
    // (a column added by a later migration would make PostgreSQL refuse it), and toRow reads only
    // these anyway.
    const all = keyList(shape.columns.map((c) => c.name));
    const load =
      this.keyColumns.length === 1 && single !== undefined
        ? `SELECT ${all} FROM ${qualified} WHERE ${quote(single)} = ANY($1::${typeOf(single)}[])`
        : `SELECT ${all} FROM ${qualified} WHERE (${keyList(this.keyColumns)}) IN (SELECT ${keyList(this.keyColumns)} FROM ${records})`;
    const written = shape.columns.filter((c) => !c.generated).map((c) => c.name);
    const updates = written
      .filter((c) => !shape.primaryKey.includes(c))
      .map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`);
    const statement = (text: string) => (prepared ? namedStatement(text) : { text });
    this.sql = {
      load: statement(load),
      upsert:
        statement(`INSERT INTO ${qualified} (${keyList(written)}) SELECT ${keyList(written)} FROM ${records}
               ON CONFLICT (${keyList(shape.primaryKey)}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`),
      delete: statement(
        `DELETE FROM ${qualified} WHERE (${keyList(shape.primaryKey)}) IN (SELECT ${keyList(shape.primaryKey)} FROM ${records})`,
      ),
    };
  }

  /** Current values of these keys (key id → parts): a row or undefined, or the rows (maybe none). */
  async load(
    tx: PoolClient,
    keys: ReadonlyMap<string, readonly string[]>,
  ): Promise<Map<string, unknown>> {
    const state = new Map<string, unknown>();
    if (keys.size === 0) return state;
    for (const id of keys.keys()) state.set(id, this.view.kind === 'row' ? undefined : []);
    const parameter =
      this.keyColumns.length === 1
        ? [...keys.values()].map((parts) => parts[0])
        : JSON.stringify(
            [...keys.values()].map((parts) =>
              Object.fromEntries(this.keyColumns.map((c, i) => [c, parts[i]])),
            ),
          );
    const { rows } = await tx.query<Record_>({ ...this.sql.load, values: [parameter] });
    for (const record of rows) {
      const id = keyId(this.keyColumns.map((c) => String(record[c])));
      const row = this.toRow(record);
      if (this.view.kind === 'row') state.set(id, row);
      else (state.get(id) as object[] | undefined)?.push(row);
    }
    return state;
  }

  /** Writes what differs between `before` (as loaded) and `after` (as folded). */
  async save(
    tx: PoolClient,
    before: ReadonlyMap<string, unknown>,
    after: ReadonlyMap<string, unknown>,
  ): Promise<number> {
    const upserts: object[] = [];
    const deletes: object[] = [];
    for (const [id, value] of after) {
      const previous = before.get(id);
      if (value === previous) continue;
      if (this.view.kind === 'row') {
        if (value === undefined) deletes.push(previous as object);
        else upserts.push(value as object);
        continue;
      }
      const was = (previous as readonly object[] | undefined) ?? [];
      const now = (value as readonly object[] | undefined) ?? [];
      const kept = new Set(was);
      upserts.push(...now.filter((row) => !kept.has(row)));
      const remaining = new Set(now.map((row) => this.primaryKeyId(row)));
      deletes.push(...was.filter((row) => !remaining.has(this.primaryKeyId(row))));
    }
    if (deletes.length > 0) await tx.query({ ...this.sql.delete, values: [this.json(deletes)] });
    if (upserts.length > 0) await tx.query({ ...this.sql.upsert, values: [this.json(upserts)] });
    return upserts.length + deletes.length;
  }

  private primaryKeyId(row: object): string {
    const values = row as Record_;
    return keyId(this.shape.primaryKey.map((c) => String(values[this.propertyOf.get(c) ?? c])));
  }

  private toRow(record: Record_): object {
    const row: Record_ = {};
    for (const [column, property] of this.propertyOf) row[property] = record[column];
    return row;
  }

  private json(rows: readonly object[]): string {
    return JSON.stringify(
      rows.map((row) => {
        const values = row as Record_;
        const record: Record_ = {};
        for (const [column, property] of this.propertyOf) record[column] = values[property] ?? null;
        return record;
      }),
    );
  }
}

/** Fresh empty copies `<table><suffix>` of the live tables: columns, defaults, constraints, indexes. */
export async function createCopies(
  tx: PoolClient,
  schema: string,
  tables: readonly string[],
  suffix: string,
): Promise<void> {
  const s = quote(schema);
  await tx.query(
    `DROP TABLE IF EXISTS ${tables.map((t) => `${s}.${quote(t + suffix)}`).join(', ')}`,
  );
  for (const table of tables)
    await tx.query(
      `CREATE TABLE ${s}.${quote(table + suffix)} (LIKE ${s}.${quote(table)} INCLUDING ALL)`,
    );
}

/**
 * Drops the live tables and renames the copies into their place. Indexes take back the live
 * indexes' names (matched by definition), so migrations that name an index still find it; other
 * indexes and owned sequences lose the suffix from their names.
 */
export async function swapIn(
  tx: PoolClient,
  schema: string,
  tables: readonly string[],
  suffix: string,
): Promise<void> {
  const s = quote(schema);
  const indexes = (qualified: string) =>
    tx.query<{ name: string; definition: string }>(
      `SELECT c.relname AS name, i.indisunique::text || regexp_replace(pg_get_indexdef(i.indexrelid), '^.*? USING ', ' ') AS definition
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = $1::regclass`,
      [qualified],
    );
  const oldNames = new Map<string, { name: string; definition: string }[]>();
  for (const table of tables) oldNames.set(table, (await indexes(`${s}.${quote(table)}`)).rows);
  // Dropped together, so foreign keys between the projection's own tables do not get in the way.
  await tx.query(`DROP TABLE ${tables.map((t) => `${s}.${quote(t)}`).join(', ')}`);
  for (const table of tables) {
    const prefix = table + suffix;
    await tx.query(`ALTER TABLE ${s}.${quote(prefix)} RENAME TO ${quote(table)}`);
    const unclaimed = [...(oldNames.get(table) ?? [])];
    for (const index of (await indexes(`${s}.${quote(table)}`)).rows) {
      const match = unclaimed.findIndex((old) => old.definition === index.definition);
      const name =
        match >= 0
          ? unclaimed.splice(match, 1)[0]?.name
          : index.name.startsWith(prefix)
            ? table + index.name.slice(prefix.length)
            : undefined;
      if (name && name !== index.name)
        await tx.query(`ALTER INDEX ${s}.${quote(index.name)} RENAME TO ${quote(name)}`);
    }
    const { rows: sequences } = await tx.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
        WHERE d.refobjid = $1::regclass AND d.classid = 'pg_class'::regclass AND c.relkind = 'S'`,
      [`${s}.${quote(table)}`],
    );
    for (const { name } of sequences) {
      if (name.startsWith(prefix))
        await tx.query(
          `ALTER SEQUENCE ${s}.${quote(name)} RENAME TO ${quote(table + name.slice(prefix.length))}`,
        );
    }
  }
}
