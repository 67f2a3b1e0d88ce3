import type { MigrationBuilder } from 'node-pg-migrate';

// The event store as its first, unversioned migration created it (ADR 0003), in the schema that
// node-pg-migrate puts first on search_path. Idempotent, so a schema created by that code (which
// recorded version 1 in event_store_migrations) is adopted unchanged; that table is retired.
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS events (
  position        bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text COLLATE "C" NOT NULL,
  stream_version  integer NOT NULL CHECK (stream_version > 0),
  event_type      text COLLATE "C" NOT NULL,
  schema_version  integer NOT NULL DEFAULT 1 CHECK (schema_version > 0),
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_pkey PRIMARY KEY (stream_id, stream_version)
);
-- The only other index: commit-safe order for readAll, subscriptions and the sealer (ADR 0003).
CREATE UNIQUE INDEX IF NOT EXISTS events_commit_order_idx ON events (transaction_id, position);

COMMENT ON TABLE events IS
  'Append-only event store (ADR 0003). UPDATE/DELETE/TRUNCATE are refused by triggers; tampering is detected by the seal chain.';

CREATE TABLE IF NOT EXISTS event_seals (
  seq             bigint PRIMARY KEY CHECK (seq > 0),
  transaction_id  xid8 NOT NULL,
  position        bigint NOT NULL,
  hash            bytea NOT NULL CHECK (length(hash) = 32),
  sealed_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE event_seals IS
  'Hash chain over events in commit-safe order: hash_n = sha256(hash_{n-1} || canonical(event_n)).';

CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'events are immutable; record a compensating event instead';
END
$fn$;

-- ENABLE ALWAYS: the guards fire even under session_replication_role = replica.
CREATE OR REPLACE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER event_seals_refuse_update_delete BEFORE UPDATE OR DELETE ON event_seals
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER event_seals_refuse_truncate BEFORE TRUNCATE ON event_seals
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_truncate;
ALTER TABLE event_seals ENABLE ALWAYS TRIGGER event_seals_refuse_update_delete;
ALTER TABLE event_seals ENABLE ALWAYS TRIGGER event_seals_refuse_truncate;

DROP TABLE IF EXISTS event_store_migrations;
`);
};
