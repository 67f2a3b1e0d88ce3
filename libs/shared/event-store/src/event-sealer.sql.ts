import { COMMIT_FRONTIER } from './commit-frontier.sql';
import { quoteIdent, statementName } from './schema-name';
import { SEALED_COLUMNS, SEALED_COLUMN_NAMES, sealLockKey } from './sealed-fields.query';

/** The head row's (NULL) values in the event columns, which name the union's columns. */
const HEAD_ROW_EVENT_COLUMNS = SEALED_COLUMN_NAMES.map((name) => `NULL AS ${name}`).join(', ');

/** The EventSealer's statements for one schema (see event-sealer.batch.ts for the pass they make up). */
export function sealerStatements(schema: string) {
  const s = quoteIdent(schema);
  // The schema name is a plain identifier (assertSchemaName), so the key is a safe literal; a
  // statement without parameters may share one round trip with BEGIN.
  const lockKey = `hashtextextended('${sealLockKey(schema)}', 0)`;
  const begin = 'BEGIN; SET LOCAL synchronous_commit = off; ';
  return {
    beginLocked: `${begin}SELECT pg_advisory_xact_lock(${lockKey})`,
    beginTryLock: `${begin}SELECT pg_try_advisory_xact_lock(${lockKey}) AS locked`,
    // Prepared per connection (named), as the store's statements are: planning the pending read
    // cost more than executing it for small batches.
    // The head row first (tree size; pending: an event at or beyond the frontier, where committed
    // ones may wait; max() reads one index entry, an EXISTS over transaction_id >= frontier was
    // planned as a sequential scan), then the events after the head below the frontier, straight
    // from the commit-order index. A join of the two needed a sort over the whole batch on top (a
    // nested loop keeps only its outer side's order), a quarter of the statement's time, and
    // repeated the head on every row; f and h are each read once. UNION ALL gives no order in SQL
    // terms, so the sealer checks it (SealerBatches).
    pendingEvents: statementName(schema, 'seal_pending'),
    pendingEventsText: `WITH f AS (SELECT ${COMMIT_FRONTIER} AS frontier),
                           h AS (SELECT t.tree_size, t.last_transaction_id, t.last_position
                                   FROM ${s}.event_tree_batches t ORDER BY t.tree_size DESC LIMIT 1)
                      SELECT (SELECT h.tree_size::text FROM h) AS tree_size,
                             coalesce((SELECT max(p.transaction_id) FROM ${s}.events p) >= (SELECT f.frontier FROM f), false) AS pending,
                             ${HEAD_ROW_EVENT_COLUMNS}
                      UNION ALL
                      (SELECT NULL, NULL, ${SEALED_COLUMNS} FROM ${s}.events e
                        WHERE e.transaction_id < (SELECT f.frontier FROM f)
                          AND (e.transaction_id, e.position) >
                              (coalesce((SELECT h.last_transaction_id FROM h), '0'::xid8), coalesce((SELECT h.last_position FROM h), 0))
                        ORDER BY e.transaction_id, e.position
                        LIMIT $1)`,
    insertBatch: statementName(schema, 'seal_batch'),
    insertBatchText: `INSERT INTO ${s}.event_tree_batches
                     (tree_size, start_size, first_node, last_transaction_id, last_position, root_hash, node_hashes)
                   VALUES ($1, $2, $3, $4::xid8, $5, $6, $7)`,
    insertCheckpoint: `INSERT INTO ${s}.event_tree_checkpoints (tree_size, note) VALUES ($1, $2)`,
  };
}
