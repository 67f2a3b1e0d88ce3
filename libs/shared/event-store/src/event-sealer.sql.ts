import { COMMIT_FRONTIER } from './commit-frontier.sql';
import { quoteIdent, statementName } from './schema-name';
import { SEALED_COLUMNS, sealLockKey } from './sealed-fields.query';

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
    // One row at least (the head and the frontier flag), then the events after the head below the
    // frontier. pending: an event at or beyond the frontier (max() reads one index entry; an
    // EXISTS over transaction_id >= frontier was planned as a sequential scan).
    pendingEvents: statementName(schema, 'seal_pending'),
    pendingEventsText: `SELECT h.tree_size::text AS tree_size, h.last_transaction_id::text AS last_transaction_id,
                           h.last_position::text AS last_position,
                           coalesce((SELECT max(p.transaction_id) FROM ${s}.events p) >= f.frontier, false) AS pending,
                           b.*
                      FROM (SELECT ${COMMIT_FRONTIER} AS frontier) f
                      LEFT JOIN LATERAL (SELECT t.tree_size, t.last_transaction_id, t.last_position
                                           FROM ${s}.event_tree_batches t ORDER BY t.tree_size DESC LIMIT 1) h ON true
                      LEFT JOIN LATERAL (
                        SELECT ${SEALED_COLUMNS} FROM ${s}.events e
                         WHERE e.transaction_id < f.frontier
                           AND (e.transaction_id, e.position) >
                               (coalesce(h.last_transaction_id, '0'::xid8), coalesce(h.last_position, 0))
                         ORDER BY e.transaction_id, e.position
                         LIMIT $1) b ON true
                     ORDER BY b.transaction_id::xid8, b.position::bigint`,
    insertBatch: statementName(schema, 'seal_batch'),
    insertBatchText: `INSERT INTO ${s}.event_tree_batches
                     (tree_size, start_size, first_node, last_transaction_id, last_position, root_hash, node_hashes)
                   VALUES ($1, $2, $3, $4::xid8, $5, $6, $7)`,
    insertCheckpoint: `INSERT INTO ${s}.event_tree_checkpoints (tree_size, note) VALUES ($1, $2)`,
  };
}
