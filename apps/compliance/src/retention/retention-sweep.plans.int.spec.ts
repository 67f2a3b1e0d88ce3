import type { TestContext } from '@trainyard/testing';
import {
  GOVERNED_RECORD_TYPES,
  candidatesSql,
  type GovernedRecordType,
} from './governed-record-types';
import { linksTo } from '../ledger/ledger-link.sql';
import { NOW, daysAgo, retentionTestContext } from './retention-schema.fixture';

// The retention sweep's statements use an index on realistic row counts (not a full scan and sort
// of the table per page): EXPLAIN of the exact SQL the sweep runs, on 200 000 ledger entries,
// 200 000 evaluations and 100 000 webhook deliveries spread over seven years, analysed.

/** Row g's instant: spread over 0..2599 days (and minutes) before NOW, in no order. */
const instant = `($1::timestamptz - ((g * 7919) % 2600) * interval '1 day' - (g % 1440) * interval '1 minute')`;

let ctx: TestContext;

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}
const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

const plan = async (sql: string, params: unknown[]) => {
  const { rows } = await ctx.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON) ${sql}`,
    params,
  );
  return nodes(rows[0]!['QUERY PLAN'][0].Plan);
};

/** The plan's scans of `table`: `<node> <index>`, e.g. `Index Scan ledger_entries_time_idx`. */
const scansOf = (plan: PlanNode[], table: string) =>
  plan
    .filter((n) => n['Relation Name'] === table && n['Node Type'].endsWith('Scan'))
    .map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim());
/** One scan of the table, through `index` (an index or index-only scan), never the whole table. */
const throughIndex = (index: string) => [
  expect.stringMatching(new RegExp(`^Index( Only)? Scan ${index}$`)) as unknown,
];

beforeAll(async () => {
  ctx = await retentionTestContext('retention_plans');
  await ctx.pool.query(
    `INSERT INTO ledger_entries (event_id, topic, source, source_service, type, event_type,
       trail_kind, occurred_at, links, data, kafka_partition, kafka_offset, recorded_at)
     SELECT 'L-' || g, 't', '/trainyard/planning', 'planning', 'ty', 'WorkloadRegistered',
       'change-request', ${instant},
       jsonb_build_array(jsonb_build_object('kind', 'workload', 'id', 'W-' || g % 5000)),
       jsonb_build_object('workloadId', 'W-' || g % 5000),
       0, g::text, ${instant}
       FROM generate_series(1, 200000) g`,
    [NOW],
  );
  await ctx.pool.query(
    `INSERT INTO policy_evaluations (evaluation_id, subject_type, subject_id, trigger, policy_id,
       bundle_version, evaluator_version, result, facts, explanation, evaluated_by, evaluated_at)
     SELECT 'E-' || g, 'workload', 'W-' || g % 5000, 'workload-registered', 'cc', '1.0.0', 'e1',
       CASE WHEN g % 7 = 0 THEN 'blocked' ELSE 'allowed' END, '{}', '[]', 'compliance',
       to_char(${instant} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       FROM generate_series(1, 200000) g`,
    [NOW],
  );
  // A year and a month of deliveries; one in fifty still pending, one in ten dead.
  await ctx.pool.query(
    `INSERT INTO webhook_deliveries (delivery_id, subscriber_id, event_id, event_type, body,
       status, next_attempt_at, created_at)
     SELECT 'D-' || g, 'grc', 'ev-' || g, 'ChangeSignedOff', '{"data":{}}',
       CASE WHEN g % 50 = 0 THEN 'pending' WHEN g % 10 = 1 THEN 'dead' ELSE 'delivered' END,
       $1::timestamptz - ((g * 7919) % 400) * interval '1 day',
       $1::timestamptz - ((g * 7919) % 400) * interval '1 day'
       FROM generate_series(1, 100000) g`,
    [NOW],
  );
  await ctx.pool.query('ANALYZE');
}, 120_000);

afterAll(async () => {
  await ctx.dispose();
});

const INDEX: Record<string, string> = {
  ledger_entries: 'ledger_entries_time_idx',
  policy_evaluations: 'policy_evaluations_retention_idx',
  webhook_deliveries: 'webhook_deliveries_retention_idx',
};
const CUTOFF: Record<string, string> = {
  'ledger-entry': daysAgo(730),
  'policy-evaluation': daysAgo(2557),
  'webhook-delivery': daysAgo(365),
};

describe('retention sweep query plans', () => {
  it.each(GOVERNED_RECORD_TYPES.map((t) => [t.recordType, t] as const))(
    '%s: the first page and the next ones are index range scans',
    async (_name: string, type: GovernedRecordType) => {
      const table = `"${ctx.schema}".${type.table}`;
      const cutoff = CUTOFF[type.recordType]!;
      const first = await ctx.pool.query<{ key: string; id: string }>(
        candidatesSql(table, type, false),
        [cutoff, 500],
      );
      expect(first.rows.length).toBe(500);
      const last = first.rows.at(-1)!;
      const index = INDEX[type.table]!;
      expect(
        scansOf(await plan(candidatesSql(table, type, false), [cutoff, 500]), type.table),
      ).toEqual(throughIndex(index));
      const keyset = [cutoff, 500, last.key, last.id];
      expect(scansOf(await plan(candidatesSql(table, type, true), keyset), type.table)).toEqual(
        throughIndex(index),
      );
      // The keyset moves on: the next page starts after the last row of this one.
      const next = await ctx.pool.query<{ id: string }>(candidatesSql(table, type, true), [
        cutoff,
        500,
        last.key,
        last.id,
      ]);
      expect(next.rows.map((r) => r.id)).not.toContain(last.id);
      expect(next.rows.length).toBeGreaterThan(0);
    },
  );

  it('deletes by primary key (an entry takes its links with it: no link rows)', async () => {
    const entries = await plan(`DELETE FROM ledger_entries WHERE event_id = ANY($1::text[])`, [
      ['L-1', 'L-2', 'L-3'],
    ]);
    expect(scansOf(entries, 'ledger_entries')).toEqual(throughIndex('ledger_entries_pkey'));
  });

  it("finds the entries that link a workload through the links' GIN index", async () => {
    const sql = `SELECT e.event_id FROM ledger_entries e WHERE ${linksTo('e', 'workload', 1)}`;
    const found = await ctx.pool.query<{ event_id: string }>(sql, ['W-42']);
    expect(found.rows).toHaveLength(40);
    const scans = await plan(sql, ['W-42']);
    expect(scans.map((n) => `${n['Node Type']} ${n['Index Name'] ?? n['Relation Name']}`)).toEqual([
      'Bitmap Heap Scan ledger_entries',
      'Bitmap Index Scan ledger_entries_links_idx',
    ]);
  });
});
