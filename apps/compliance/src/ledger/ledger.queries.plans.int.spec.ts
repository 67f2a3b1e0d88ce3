import { migrateSchema } from '@trainyard/event-store';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from '@trainyard/compliance-read-models';
import { createTestContext, type TestContext } from '@trainyard/testing';
import type { LedgerQueries } from './ledger.queries';
import { recordingLedgerQueries, type RecordedStatement } from './ledger-queries.fixture';

// The ledger's link lookups go through the links' GIN index on realistic row counts (migration
// 0008). Why: with the trail's releases joined in the same statement, the planner could not
// estimate how many entries each links, hashed them and read all 200 000 entries per trail.

let ctx: TestContext;
let queries: LedgerQueries;
const statements: RecordedStatement[] = [];

beforeAll(async () => {
  ctx = await createTestContext('ledger_plans');
  await migrateSchema(ctx.pool, ctx.schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
  // 200 000 entries, 50 a release; every fifth commits a release's scope for two workloads.
  await ctx.pool.query(
    `INSERT INTO ledger_entries (event_id, topic, source, source_service, type, event_type,
       trail_kind, occurred_at, links, data, kafka_partition, kafka_offset, recorded_at)
     SELECT 'L-' || g, 't', '/trainyard/planning', 'planning', 'ty', 'WorkloadRegistered',
       'change-request', now() - g * interval '1 minute',
       CASE WHEN g % 5 = 4
         THEN jsonb_build_array(jsonb_build_object('kind', 'release', 'id', 'R-' || g / 50),
                jsonb_build_object('kind', 'workload', 'id', 'W-' || g - 1),
                jsonb_build_object('kind', 'workload', 'id', 'W-' || g - 2))
         ELSE jsonb_build_array(jsonb_build_object('kind', 'release', 'id', 'R-' || g / 50),
                jsonb_build_object('kind', 'workload', 'id', 'W-' || g)) END,
       '{}', 0, g::text, now()
       FROM generate_series(1, 200000) g`,
  );
  await ctx.pool.query('ANALYZE ledger_entries');
  queries = await recordingLedgerQueries(ctx, statements, 'ledger-plans');
}, 120_000);

afterAll(async () => ctx.dispose());

/** The scans of `ledger_entries` in the plan of `statement`, as the planner chooses them. */
const scansOf = async ({ text, values }: { text: string; values: unknown[] }) => {
  const { rows } = await ctx.pool.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (COSTS OFF) ${text}`,
    values,
  );
  return rows.flatMap(
    (r) =>
      /(Seq Scan on \w+|Bitmap Index Scan on \w+|Index (?:Only )?Scan using \w+)/.exec(
        r['QUERY PLAN'],
      )?.[1] ?? [],
  );
};

describe('ledger link lookups on 200 000 entries', () => {
  it("a workload's trail: its entries and its release's, never a full scan", async () => {
    statements.length = 0;
    const trail = await queries.workloadTrail('W-1003');
    // W-1003's registration, and R-20's scope commit naming it (with W-1002).
    expect(trail.groups.flatMap((g) => g.items.map((i) => i.eventId))).toEqual([
      'L-1004',
      'L-1003',
    ]);
    expect(statements).toHaveLength(2);
    for (const statement of statements)
      expect(await scansOf(statement)).toEqual(
        expect.arrayContaining(['Bitmap Index Scan on ledger_entries_links_idx']),
      );
    for (const statement of statements)
      expect(await scansOf(statement)).not.toContain('Seq Scan on ledger_entries');
  });

  it('a release filter counts and pages through the links index', async () => {
    statements.length = 0;
    const page = await queries.query({ release: 'R-7' });
    expect(page.total).toBe(50);
    for (const statement of statements)
      expect(await scansOf(statement)).toEqual(['Bitmap Index Scan on ledger_entries_links_idx']);
  });
});
