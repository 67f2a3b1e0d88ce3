// Freeze overrides and their review items (issue 11 item 3). Never edited once shipped; the
// TypeORM entities map these columns (synchronize stays off). `pgm` is node-pg-migrate's
// MigrationBuilder, typed by the one method used so read models import nothing.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE freeze_overrides (
  override_id         text PRIMARY KEY,
  freeze_id           text NOT NULL,
  scope               jsonb NOT NULL,
  from_at             text NOT NULL,
  to_at               text NOT NULL,
  reason              text NOT NULL,
  status              text NOT NULL,
  requested_by        text NOT NULL,
  requested_at        text NOT NULL,
  required_approvals  integer NOT NULL,
  approval_rule       text NOT NULL,
  policy_version      text NOT NULL,
  approvals           jsonb NOT NULL,
  activated_at        text,
  rejected_at         text,
  revoked_at          text,
  expired_at          text,
  ended_by            text,
  end_reason          text,
  uses                jsonb NOT NULL,
  use_count           integer NOT NULL,
  version             integer NOT NULL
);
CREATE INDEX freeze_overrides_status_idx ON freeze_overrides (status, to_at);
CREATE INDEX freeze_overrides_freeze_idx ON freeze_overrides (freeze_id, status);

CREATE TABLE override_reviews (
  override_id   text PRIMARY KEY,
  freeze_id     text NOT NULL,
  requested_by  text NOT NULL,
  trigger       text NOT NULL,
  status        text NOT NULL,
  opened_at     text NOT NULL,
  due_at        text NOT NULL,
  use_count     integer NOT NULL,
  outcome       text,
  notes         text,
  closed_by     text,
  closed_at     text,
  late          boolean,
  version       integer NOT NULL
);
CREATE INDEX override_reviews_status_idx ON override_reviews (status, due_at);
`);
};
