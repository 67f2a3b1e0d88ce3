// Indexes for the retention sweep (apps/compliance/src/retention): each pass pages through a
// table's rows older than the cut-off, oldest first (`WHERE key < cutoff ORDER BY key, id LIMIT
// 500`, then a keyset). The ledger's `ledger_entries_time_idx (occurred_at, event_id)` serves it;
// these give the two other tables the same range scan instead of a full scan and sort per page
// (EXPLAIN on 200 000 evaluations and 100 000 deliveries: retention-sweep.plans.int.spec.ts).
// - evaluations: `evaluated_at` is UTC ISO-8601 text, compared byte-wise (COLLATE "C"), as the
//   sweep's query does, so the order is time order under any database collation;
// - deliveries: only `delivered` and `dead` rows are governed (pending ones never), so the index
//   is partial with the sweep's own condition and stays small.
// Building them locks writes to the table while it runs (plain CREATE INDEX in the migration's
// transaction); on 200 000 rows that is well under a second.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE INDEX IF NOT EXISTS policy_evaluations_retention_idx
  ON policy_evaluations (evaluated_at COLLATE "C", evaluation_id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_retention_idx
  ON webhook_deliveries (created_at, delivery_id) WHERE status IN ('delivered', 'dead');
`);
};
