// Job definitions (issue 12 items 1 and 7): one row per job with its running manifest, and every
// version. Never edited once shipped; the TypeORM entities map these columns (synchronize stays
// off). `pgm` is node-pg-migrate's MigrationBuilder, typed by the one method used.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE job_definitions (
  name               text PRIMARY KEY,
  owner              text NOT NULL,
  criticality        text NOT NULL,
  description        text,
  running_version    integer,
  digest             text,
  manifest           jsonb,
  author             text,
  approved_by        text,
  applied_at         text,
  deprecated         boolean NOT NULL,
  deprecated_reason  text,
  deprecated_by      text,
  deprecated_at      text,
  proposal           jsonb,
  proposal_digest    text,
  proposed_by        text,
  version_count      integer NOT NULL,
  created_at         text NOT NULL,
  updated_at         text NOT NULL,
  version            integer NOT NULL
);
CREATE INDEX job_definitions_owner_idx ON job_definitions (owner, name);

CREATE TABLE job_manifest_versions (
  name               text NOT NULL,
  job_version        integer NOT NULL,
  digest             text NOT NULL,
  manifest           jsonb NOT NULL,
  author             text NOT NULL,
  approved_by        text,
  rolled_back_from   integer,
  changes            jsonb NOT NULL,
  created_at         text NOT NULL,
  PRIMARY KEY (name, job_version)
);
`);
};
