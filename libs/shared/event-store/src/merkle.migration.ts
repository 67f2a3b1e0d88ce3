import { quoteIdent } from './schema-name';

/**
 * DDL of the Merkle transparency log (ADR 0010), kept apart from the other event-store DDL so it
 * can move into a versioned migration as one piece. Idempotent: every statement may run again.
 *
 * - `event_tree_batches`: one row per sealed batch of events, in commit-safe order. `node_hashes`
 *   holds, in post-order, every perfect-subtree hash the batch's leaves complete (leaf hashes
 *   included), 32 bytes each, so any proof reads at most ~2·log2(n) slices of it.
 * - `event_tree_checkpoints`: every signed checkpoint (C2SP signed note) the sealer published.
 * - Triggers refusing UPDATE, DELETE and TRUNCATE on both, enabled ALWAYS.
 */
export function merkleLogDdl(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE TABLE IF NOT EXISTS ${s}.event_tree_batches (
  tree_size            bigint PRIMARY KEY CHECK (tree_size > 0),
  start_size           bigint NOT NULL UNIQUE CHECK (start_size >= 0 AND start_size < tree_size),
  first_node           bigint NOT NULL UNIQUE CHECK (first_node >= 0),
  last_transaction_id  xid8 NOT NULL,
  last_position        bigint NOT NULL,
  root_hash            bytea NOT NULL CHECK (length(root_hash) = 32),
  node_hashes          bytea NOT NULL CHECK (length(node_hashes) > 0 AND length(node_hashes) % 32 = 0),
  sealed_at            timestamptz NOT NULL DEFAULT now()
);
-- Uncompressed out-of-line storage: substring() then reads only the slice a proof needs.
ALTER TABLE ${s}.event_tree_batches ALTER COLUMN node_hashes SET STORAGE EXTERNAL;
CREATE UNIQUE INDEX IF NOT EXISTS event_tree_batches_last_event_idx
  ON ${s}.event_tree_batches (last_transaction_id, last_position);
COMMENT ON TABLE ${s}.event_tree_batches IS
  'RFC 6962 Merkle tree over events in commit-safe order, one row per sealed batch (ADR 0010).';

CREATE TABLE IF NOT EXISTS ${s}.event_tree_checkpoints (
  tree_size   bigint NOT NULL CHECK (tree_size >= 0),
  note        text NOT NULL,
  signed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS event_tree_checkpoints_signed_idx ON ${s}.event_tree_checkpoints (signed_at, tree_size);
COMMENT ON TABLE ${s}.event_tree_checkpoints IS
  'Signed checkpoints (C2SP tlog-checkpoint) of the event tree; copies are published outside the database.';

CREATE OR REPLACE FUNCTION ${s}.event_tree_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE OR REPLACE TRIGGER event_tree_batches_refuse_update_delete BEFORE UPDATE OR DELETE ON ${s}.event_tree_batches
  FOR EACH ROW EXECUTE FUNCTION ${s}.event_tree_refuse_change();
CREATE OR REPLACE TRIGGER event_tree_batches_refuse_truncate BEFORE TRUNCATE ON ${s}.event_tree_batches
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.event_tree_refuse_change();
CREATE OR REPLACE TRIGGER event_tree_checkpoints_refuse_update_delete BEFORE UPDATE OR DELETE ON ${s}.event_tree_checkpoints
  FOR EACH ROW EXECUTE FUNCTION ${s}.event_tree_refuse_change();
CREATE OR REPLACE TRIGGER event_tree_checkpoints_refuse_truncate BEFORE TRUNCATE ON ${s}.event_tree_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.event_tree_refuse_change();
ALTER TABLE ${s}.event_tree_batches ENABLE ALWAYS TRIGGER event_tree_batches_refuse_update_delete;
ALTER TABLE ${s}.event_tree_batches ENABLE ALWAYS TRIGGER event_tree_batches_refuse_truncate;
ALTER TABLE ${s}.event_tree_checkpoints ENABLE ALWAYS TRIGGER event_tree_checkpoints_refuse_update_delete;
ALTER TABLE ${s}.event_tree_checkpoints ENABLE ALWAYS TRIGGER event_tree_checkpoints_refuse_truncate;
`;
}
