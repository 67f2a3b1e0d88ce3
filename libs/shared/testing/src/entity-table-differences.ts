import type { DataSource } from 'typeorm';

interface TableColumn {
  readonly table: string;
  readonly column: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly primary: boolean;
}

interface TableIndex {
  readonly table: string;
  readonly name: string;
  readonly columns: string;
}

/**
 * Where the TypeORM entities of `dataSource` and the tables a migration created in `schema`
 * disagree: a missing table, a column missing on either side, or a different type, nullability,
 * primary key or index. Empty when every entity maps its table exactly (defaults are not compared:
 * entities write every column).
 */
export async function entityTableDifferences(
  dataSource: DataSource,
  schema: string,
): Promise<string[]> {
  const columns = await tableColumns(dataSource, schema);
  const indexes = await tableIndexes(dataSource, schema);
  const differences: string[] = [];
  for (const entity of dataSource.entityMetadatas) {
    const table = entity.tableName;
    const actual = columns.filter((column) => column.table === table);
    if (actual.length === 0) {
      differences.push(`${table}: no such table in schema ${schema}`);
      continue;
    }
    const expected = entity.columns.map((column) => ({
      table,
      column: column.databaseName,
      type: dataSource.driver.normalizeType(column),
      nullable: column.isNullable,
      primary: column.isPrimary,
    }));
    for (const column of expected) {
      const found = actual.find((candidate) => candidate.column === column.column);
      if (!found)
        differences.push(
          `${table}.${column.column}: mapped by ${entity.name}, missing in the table`,
        );
      else if (describe(found) !== describe(column)) {
        differences.push(
          `${table}.${column.column}: entity ${describe(column)}, table ${describe(found)}`,
        );
      }
    }
    for (const column of actual) {
      if (!expected.some((candidate) => candidate.column === column.column)) {
        differences.push(`${table}.${column.column}: in the table, not mapped by ${entity.name}`);
      }
    }
    const expectedIndexes = entity.indices.map((index) => ({
      table,
      name: index.name,
      columns: index.columns.map((column) => column.databaseName).join(', '),
    }));
    const actualIndexes = indexes.filter((index) => index.table === table);
    for (const index of expectedIndexes) {
      const found = actualIndexes.find((candidate) => candidate.name === index.name);
      if (found?.columns !== index.columns) {
        differences.push(
          `${table} index ${index.name}: entity (${index.columns}), table ${found ? `(${found.columns})` : 'none'}`,
        );
      }
    }
    for (const index of actualIndexes) {
      if (!expectedIndexes.some((candidate) => candidate.name === index.name)) {
        differences.push(
          `${table} index ${index.name} (${index.columns}): in the table, not declared by ${entity.name}`,
        );
      }
    }
  }
  return differences;
}

const describe = (column: TableColumn) =>
  `${column.type}${column.nullable ? ' NULL' : ' NOT NULL'}${column.primary ? ' PRIMARY KEY' : ''}`;

async function tableColumns(dataSource: DataSource, schema: string): Promise<TableColumn[]> {
  const rows: {
    table: string;
    column: string;
    type: string;
    nullable: boolean;
    primary: boolean;
  }[] = await dataSource.query(
    `SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS "type",
            c.is_nullable = 'YES' AS "nullable",
            EXISTS (SELECT 1 FROM information_schema.table_constraints t
                      JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name, table_name)
                     WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema
                       AND t.table_name = c.table_name AND k.column_name = c.column_name) AS "primary"
       FROM information_schema.columns c
      WHERE c.table_schema = $1`,
    [schema],
  );
  return rows;
}

async function tableIndexes(dataSource: DataSource, schema: string): Promise<TableIndex[]> {
  const rows: TableIndex[] = await dataSource.query(
    `SELECT t.relname AS "table", i.relname AS "name",
            string_agg(a.attname, ', ' ORDER BY k.ord) AS "columns"
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = $1 AND NOT x.indisprimary
      GROUP BY t.relname, i.relname`,
    [schema],
  );
  return rows;
}
