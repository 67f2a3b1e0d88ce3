import type { MigrationBuilder } from 'node-pg-migrate';

// The event store becomes a transparency log (ADR 0010): an RFC 6962 Merkle tree over the events in
// commit-safe order, sealed per batch, with signed checkpoints. The per-event hash chain
// (event_seals) it replaces is dropped; the events themselves are unchanged.
//
// - event_tree_batches: one row per sealed batch of events, in commit-safe order. node_hashes holds,
//   in post-order, every perfect-subtree hash the batch's leaves complete (leaf hashes included),
//   32 bytes each, so any proof reads at most ~2·log2(n) slices of it.
// - event_tree_checkpoints: every signed checkpoint (C2SP signed note) the sealer published.
// - Triggers refusing UPDATE, DELETE and TRUNCATE on both, enabled ALWAYS.
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`
CREATE TABLE event_tree_batches (
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
ALTER TABLE event_tree_batches ALTER COLUMN node_hashes SET STORAGE EXTERNAL;
CREATE UNIQUE INDEX event_tree_batches_last_event_idx
  ON event_tree_batches (last_transaction_id, last_position);
COMMENT ON TABLE event_tree_batches IS
  'RFC 6962 Merkle tree over events in commit-safe order, one row per sealed batch (ADR 0010).';

CREATE TABLE event_tree_checkpoints (
  tree_size   bigint NOT NULL CHECK (tree_size >= 0),
  note        text NOT NULL,
  signed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_tree_checkpoints_signed_idx ON event_tree_checkpoints (signed_at, tree_size);
COMMENT ON TABLE event_tree_checkpoints IS
  'Signed checkpoints (C2SP tlog-checkpoint) of the event tree; copies are published outside the database.';

CREATE FUNCTION event_tree_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER event_tree_batches_refuse_update_delete BEFORE UPDATE OR DELETE ON event_tree_batches
  FOR EACH ROW EXECUTE FUNCTION event_tree_refuse_change();
CREATE TRIGGER event_tree_batches_refuse_truncate BEFORE TRUNCATE ON event_tree_batches
  FOR EACH STATEMENT EXECUTE FUNCTION event_tree_refuse_change();
CREATE TRIGGER event_tree_checkpoints_refuse_update_delete BEFORE UPDATE OR DELETE ON event_tree_checkpoints
  FOR EACH ROW EXECUTE FUNCTION event_tree_refuse_change();
CREATE TRIGGER event_tree_checkpoints_refuse_truncate BEFORE TRUNCATE ON event_tree_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION event_tree_refuse_change();
ALTER TABLE event_tree_batches ENABLE ALWAYS TRIGGER event_tree_batches_refuse_update_delete;
ALTER TABLE event_tree_batches ENABLE ALWAYS TRIGGER event_tree_batches_refuse_truncate;
ALTER TABLE event_tree_checkpoints ENABLE ALWAYS TRIGGER event_tree_checkpoints_refuse_update_delete;
ALTER TABLE event_tree_checkpoints ENABLE ALWAYS TRIGGER event_tree_checkpoints_refuse_truncate;

DROP TABLE IF EXISTS event_seals;
COMMENT ON TABLE events IS
  'Append-only event store (ADR 0003). UPDATE/DELETE/TRUNCATE are refused by triggers; tampering is detected by the Merkle tree and its signed checkpoints (ADR 0010).';
`);
};
