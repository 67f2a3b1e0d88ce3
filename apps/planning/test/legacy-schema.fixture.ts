import type { Pool } from 'pg';

/**
 * A schema exactly as the code before versioned migrations left it (commit 60fbf90): the event
 * store's own version table at version 1, then the idempotent messaging and read-model DDL. The SQL
 * is copied verbatim from that commit; it exists only to prove such databases upgrade cleanly.
 */
export async function createLegacySchema(pool: Pool, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${s}.event_store_migrations (
       version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  await pool.query(`
CREATE TABLE ${s}.events (
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
CREATE UNIQUE INDEX events_commit_order_idx ON ${s}.events (transaction_id, position);

COMMENT ON TABLE ${s}.events IS
  'Append-only event store (ADR 0003). UPDATE/DELETE/TRUNCATE are refused by triggers; tampering is detected by the seal chain.';

CREATE TABLE ${s}.event_seals (
  seq             bigint PRIMARY KEY CHECK (seq > 0),
  transaction_id  xid8 NOT NULL,
  position        bigint NOT NULL,
  hash            bytea NOT NULL CHECK (length(hash) = 32),
  sealed_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ${s}.event_seals IS
  'Hash chain over events in commit-safe order: hash_n = sha256(hash_{n-1} || canonical(event_n)).';

CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'events are immutable; record a compensating event instead';
END
$fn$;

-- ENABLE ALWAYS: the guards fire even under session_replication_role = replica.
CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON ${s}.events
  FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON ${s}.events
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change();
CREATE TRIGGER event_seals_refuse_update_delete BEFORE UPDATE OR DELETE ON ${s}.event_seals
  FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();
CREATE TRIGGER event_seals_refuse_truncate BEFORE TRUNCATE ON ${s}.event_seals
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change();
ALTER TABLE ${s}.events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE ${s}.events ENABLE ALWAYS TRIGGER events_refuse_truncate;
ALTER TABLE ${s}.event_seals ENABLE ALWAYS TRIGGER event_seals_refuse_update_delete;
ALTER TABLE ${s}.event_seals ENABLE ALWAYS TRIGGER event_seals_refuse_truncate;

`);
  await pool.query(
    `INSERT INTO ${s}.event_store_migrations (version, description) VALUES (1, 'events, event_seals, immutability triggers')`,
  );
  await pool.query(`
CREATE TABLE IF NOT EXISTS ${s}.relay_checkpoints (
  name        text PRIMARY KEY,
  checkpoint  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.inbox (
  consumer_group  text NOT NULL,
  event_id        text NOT NULL,
  handled_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inbox_pkey PRIMARY KEY (consumer_group, event_id)
);
CREATE TABLE IF NOT EXISTS ${s}.projection_checkpoints (
  projection  text PRIMARY KEY,
  checkpoint  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);`);
  await pool.query(`
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.workloads (
  workload_id                 text PRIMARY KEY,
  title                       text NOT NULL,
  team                        text NOT NULL,
  state                       text NOT NULL,
  track_id                    text NOT NULL,
  track_kind                  text NOT NULL,
  change_type                 text NOT NULL,
  classification_rule         text NOT NULL,
  classification_explanation  text NOT NULL,
  risk_tier                   text NOT NULL,
  approval_path               text NOT NULL,
  risk_reasons                jsonb NOT NULL,
  job_size                    integer NOT NULL,
  business_value              integer NOT NULL,
  time_criticality            integer NOT NULL,
  risk_reduction              integer NOT NULL,
  cost_of_delay               integer NOT NULL,
  wsjf                        double precision NOT NULL,
  depends_on                  jsonb NOT NULL,
  components                  jsonb NOT NULL,
  regulated_data              jsonb NOT NULL,
  schema_change               boolean NOT NULL,
  api_contract                jsonb,
  feature_flag                text,
  severity                    integer,
  linked_incident             text,
  policy_version              text NOT NULL,
  registered_by               text NOT NULL,
  registered_at               text NOT NULL,
  release_id                  text,
  deferral_count              integer NOT NULL,
  first_deferred_at           text,
  last_deferred_at            text,
  last_deferral_reason        text,
  completed_job_size          double precision,
  withdrawn_reason            text,
  version                     integer NOT NULL
);
-- Added after the first release of this table; tables created before get the column with its default.
ALTER TABLE ${s}.workloads ADD COLUMN IF NOT EXISTS libraries jsonb NOT NULL DEFAULT '[]';
ALTER TABLE ${s}.workloads ADD COLUMN IF NOT EXISTS consumed_apis jsonb NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS workloads_filter_idx ON ${s}.workloads (state, team, risk_tier, change_type);
CREATE INDEX IF NOT EXISTS workloads_track_idx ON ${s}.workloads (track_id, state);
CREATE TABLE IF NOT EXISTS ${s}.releases (
  release_id          text PRIMARY KEY,
  train_id            text NOT NULL,
  kind                text NOT NULL,
  status              text NOT NULL,
  window_start        text,
  window_end          text,
  capacity_total      double precision NOT NULL,
  capacity_used       double precision NOT NULL,
  deferred_count      integer NOT NULL,
  policy_version      text,
  planned_by          text NOT NULL,
  planned_at          text NOT NULL,
  committed_by        text,
  committed_at        text,
  closed_at           text,
  cancel_reason       text,
  negotiated_include  jsonb NOT NULL,
  negotiated_exclude  jsonb NOT NULL,
  deployment_order    jsonb NOT NULL,
  delivered           jsonb NOT NULL,
  compliance_alerts   jsonb NOT NULL,
  version             integer NOT NULL
);
ALTER TABLE ${s}.releases ADD COLUMN IF NOT EXISTS version_skews jsonb NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS releases_train_idx ON ${s}.releases (train_id, status);
CREATE TABLE IF NOT EXISTS ${s}.api_versions (
  api             text NOT NULL,
  version         text NOT NULL,
  deprecated_at   text NOT NULL,
  sunset_at       text,
  reason          text NOT NULL,
  deprecated_by   text NOT NULL,
  recorded_at     text NOT NULL,
  stream_version  integer NOT NULL,
  PRIMARY KEY (api, version)
);
CREATE TABLE IF NOT EXISTS ${s}.release_scope_items (
  release_id          text NOT NULL,
  workload_id         text NOT NULL,
  team                text NOT NULL,
  job_size            double precision,
  change_type         text,
  decision            text NOT NULL,
  unplanned           boolean NOT NULL,
  reason              text NOT NULL,
  plan_order          integer,
  approver            text,
  completed_job_size  double precision,
  PRIMARY KEY (release_id, workload_id)
);`);
}
