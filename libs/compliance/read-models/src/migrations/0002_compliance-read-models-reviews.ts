// Change reviews (sign-offs, the last deployment decision) and retrospective reviews of emergency
// changes: one row per workload and kind. Mapped by review-view.entity.ts (synchronize stays off).
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS compliance_reviews (
  workload_id          text NOT NULL,
  kind                 text NOT NULL,
  status               text NOT NULL,
  title                text,
  author               text NOT NULL,
  data_classes         jsonb NOT NULL,
  policy_version       text NOT NULL,
  required_sign_offs   integer NOT NULL,
  allowed_roles        jsonb NOT NULL,
  sign_offs            jsonb NOT NULL,
  last_deployment      jsonb,
  release_id           text,
  due_at               text,
  findings             text,
  closed_by            text,
  opened_at            text NOT NULL,
  updated_at           text NOT NULL,
  stream_version       integer NOT NULL,
  PRIMARY KEY (workload_id, kind)
);
CREATE INDEX IF NOT EXISTS compliance_reviews_status_idx ON compliance_reviews (kind, status, opened_at);
CREATE INDEX IF NOT EXISTS compliance_reviews_due_idx ON compliance_reviews (kind, status, due_at);
`);
};
