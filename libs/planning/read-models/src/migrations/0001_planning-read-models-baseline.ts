// The planning read-model tables as the first, unversioned DDL created them; idempotent, so a schema
// created by that code is adopted unchanged. The TypeORM entities map these columns (synchronize
// stays off) and read-models.migrations.int.spec.ts fails when the two disagree. `pgm` is
// node-pg-migrate's MigrationBuilder, typed by the one method used so read models import nothing.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS workloads (
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
ALTER TABLE workloads ADD COLUMN IF NOT EXISTS libraries jsonb NOT NULL DEFAULT '[]';
ALTER TABLE workloads ADD COLUMN IF NOT EXISTS consumed_apis jsonb NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS workloads_filter_idx ON workloads (state, team, risk_tier, change_type);
CREATE INDEX IF NOT EXISTS workloads_track_idx ON workloads (track_id, state);
CREATE TABLE IF NOT EXISTS releases (
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
ALTER TABLE releases ADD COLUMN IF NOT EXISTS version_skews jsonb NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS releases_train_idx ON releases (train_id, status);
CREATE TABLE IF NOT EXISTS api_versions (
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
CREATE TABLE IF NOT EXISTS release_scope_items (
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
};
