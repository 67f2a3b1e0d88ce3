// Compliance's first read-model tables: policies, their versions, and evaluations with their
// rule-by-rule explanation. The TypeORM entities map these columns (synchronize stays off) and
// read-models.migrations.int.spec.ts fails when the two disagree. `pgm` is node-pg-migrate's
// MigrationBuilder, typed by the one method used so read models import nothing.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS policies (
  policy_id       text PRIMARY KEY,
  title           text NOT NULL,
  active_version  text,
  latest_version  text NOT NULL,
  version_count   integer NOT NULL,
  updated_at      text NOT NULL,
  stream_version  integer NOT NULL
);

CREATE TABLE IF NOT EXISTS policy_versions (
  policy_id       text NOT NULL,
  version         text NOT NULL,
  title           text NOT NULL,
  status          text NOT NULL,
  rules           jsonb NOT NULL,
  proposed_by     text NOT NULL,
  proposed_at     text NOT NULL,
  decided_by      text,
  decided_at      text,
  reason          text,
  stream_version  integer NOT NULL,
  PRIMARY KEY (policy_id, version)
);

CREATE TABLE IF NOT EXISTS policy_evaluations (
  evaluation_id      text PRIMARY KEY,
  subject_type       text NOT NULL,
  subject_id         text NOT NULL,
  trigger            text NOT NULL,
  policy_id          text NOT NULL,
  bundle_version     text NOT NULL,
  evaluator_version  text NOT NULL,
  result             text NOT NULL,
  facts              jsonb NOT NULL,
  explanation        jsonb NOT NULL,
  cause_event_id     text,
  cause_event_type   text,
  evaluated_by       text NOT NULL,
  evaluated_at       text NOT NULL
);
CREATE INDEX IF NOT EXISTS policy_evaluations_subject_idx ON policy_evaluations (subject_type, subject_id, evaluated_at);
CREATE INDEX IF NOT EXISTS policy_evaluations_result_idx ON policy_evaluations (result, evaluated_at);
`);
};
