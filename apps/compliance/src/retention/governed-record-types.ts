import type { RecordFootprint } from '@trainyard/compliance-domain';
import { isSealedPersonalData } from '@trainyard/kernel';
import { POLICY_EVALUATION_RECORD_TYPE } from '@trainyard/compliance-read-models';

/**
 * The compliance tables retention governs (issue 13 item 6; docs/readme-fragments/compgaps.md):
 * how to page through a table's rows by age and what each row mentions, as legal holds see it.
 * The event store is not among them: its rows are immutable and sealed (ADR 0010); its old
 * ranges are archived by `npm run audit:archive` and stay in the live table.
 *
 * - `ledger-entry`: the audit ledger's rows (`ledger_entries`, their links in their `links` column).
 *   Re-ingest cannot bring one back: the ledger's inbox keeps the handled event id.
 * - `policy-evaluation`: the evaluations read model. The `PolicyEvaluated` events stay in the log
 *   (replay keeps working from them); the projection also folds the pass's `RecordsPurged` /
 *   `RecordsArchived` (their `recordIds`), so a rebuild does not bring the rows back.
 * - `webhook-delivery`: delivered and dead-lettered GRC webhook deliveries (pending ones never).
 */
export interface GovernedRecordType {
  readonly recordType: string;
  readonly table: string;
  readonly idColumn: string;
  /**
   * The row's instant as rows are filtered, ordered and paged by (keyset), on alias `t`: exactly
   * the expression its index (migration 0005) leads with, so every page is an index range scan.
   */
  readonly keySql: string;
  /** The SQL type the cut-off and the keyset's key are compared as. */
  readonly keyType: 'timestamptz' | 'text';
  /** SQL giving the row's instant as timestamptz. */
  readonly recordedAtSql: string;
  /** Rows never governed (e.g. pending deliveries), as a SQL condition on alias `t`, or ''. */
  readonly only: string;
  readonly footprint: (
    row: Readonly<Record<string, unknown>>,
    recordedAt: string,
  ) => RecordFootprint;
}

const subjectsIn = (value: unknown, into: Set<string> = new Set(), depth = 0): Set<string> => {
  if (depth > 64) return into;
  if (isSealedPersonalData(value)) into.add(value.$pii.subject);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) subjectsIn(item, into, depth + 1);
  return into;
};

const text = (value: unknown): string[] => (typeof value === 'string' && value ? [value] : []);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** What a payload names: `workloadId`, `workloadIds`, `releaseId`, `subject: {type, id}`. */
const named = (data: Record<string, unknown>) => {
  const subject = record(data['subject']);
  const ids = (key: string) =>
    Array.isArray(data[key]) ? (data[key] as unknown[]).flatMap(text) : [];
  return {
    workloadIds: [
      ...text(data['workloadId']),
      ...ids('workloadIds'),
      ...(subject['type'] === 'workload' ? text(subject['id']) : []),
    ],
    releaseIds: [
      ...text(data['releaseId']),
      ...ids('releaseIds'),
      ...(subject['type'] === 'release' ? text(subject['id']) : []),
    ],
  };
};

export const LEDGER_ENTRIES: GovernedRecordType = {
  recordType: 'ledger-entry',
  table: 'ledger_entries',
  idColumn: 'event_id',
  keySql: 't.occurred_at',
  keyType: 'timestamptz',
  recordedAtSql: 't.occurred_at',
  only: '',
  footprint: (row, recordedAt) => {
    const links = Array.isArray(row['links']) ? (row['links'] as unknown[]).map(record) : [];
    const of = (kind: string) =>
      links.filter((l) => l['kind'] === kind).flatMap((l) => text(l['id']));
    return {
      recordedAt,
      workloadIds: of('workload'),
      releaseIds: of('release'),
      subjectIds: [...subjectsIn(row['data'])],
    };
  },
};

export const POLICY_EVALUATIONS: GovernedRecordType = {
  recordType: POLICY_EVALUATION_RECORD_TYPE,
  table: 'policy_evaluations',
  idColumn: 'evaluation_id',
  // UTC ISO-8601 text of one width (the projection writes toISOString()), so byte order is time
  // order whatever the database's collation; the cut-off is toISOString() text too.
  keySql: 't.evaluated_at COLLATE "C"',
  keyType: 'text',
  recordedAtSql: 't.evaluated_at::timestamptz',
  only: '',
  footprint: (row, recordedAt) => {
    const facts = record(row['facts']);
    const fromFacts = named(facts);
    const subject = named({ subject: { type: row['subject_type'], id: row['subject_id'] } });
    return {
      recordedAt,
      workloadIds: [...subject.workloadIds, ...fromFacts.workloadIds],
      releaseIds: [...subject.releaseIds, ...fromFacts.releaseIds],
      subjectIds: [...subjectsIn(facts)],
    };
  },
};

export const WEBHOOK_DELIVERIES: GovernedRecordType = {
  recordType: 'webhook-delivery',
  table: 'webhook_deliveries',
  idColumn: 'delivery_id',
  keySql: 't.created_at',
  keyType: 'timestamptz',
  recordedAtSql: 't.created_at',
  only: `t.status IN ('delivered', 'dead')`,
  footprint: (row, recordedAt) => {
    let data: Record<string, unknown> = {};
    try {
      data = record(record(JSON.parse(String(row['body'])))['data']);
    } catch {
      // A body that is not JSON names nothing; only a time-range hold can cover it.
    }
    return { recordedAt, ...named(data), subjectIds: [...subjectsIn(data)] };
  },
};

/**
 * One page of a type's rows recorded before `$1`, oldest first, locked for the pass: `$2` rows,
 * after the keyset position (`$3` key, `$4` id) when `keyset`. Selects id, instant, key and the row.
 */
export const candidatesSql = (
  qualifiedTable: string,
  type: GovernedRecordType,
  keyset: boolean,
): string => {
  const conditions = [`${type.keySql} < $1::${type.keyType}`];
  if (type.only) conditions.push(type.only);
  if (keyset) conditions.push(`(${type.keySql}, t.${type.idColumn}) > ($3::${type.keyType}, $4)`);
  return `SELECT t.${type.idColumn} AS id, ${type.recordedAtSql} AS at, (${type.keySql})::text AS key,
              to_jsonb(t) AS row
         FROM ${qualifiedTable} t
        WHERE ${conditions.join(' AND ')}
        ORDER BY ${type.keySql}, t.${type.idColumn}
        LIMIT $2
        FOR UPDATE OF t`;
};

export const GOVERNED_RECORD_TYPES: readonly GovernedRecordType[] = [
  LEDGER_ENTRIES,
  POLICY_EVALUATIONS,
  WEBHOOK_DELIVERIES,
];
