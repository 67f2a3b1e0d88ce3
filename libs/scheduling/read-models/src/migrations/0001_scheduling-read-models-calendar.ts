// The calendar read model (issue 11, items 1 and 8): calendar entries with their definition as
// written, and declared components. The TypeORM entities map these columns (synchronize stays off);
// read-models.migrations.int.spec.ts fails when the two disagree.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE calendar_entries (
  entry_id        text PRIMARY KEY,
  kind            text NOT NULL,
  name            text NOT NULL,
  zone            text NOT NULL,
  definition      jsonb NOT NULL,
  trains          jsonb NOT NULL,
  teams           jsonb NOT NULL,
  environments    jsonb NOT NULL,
  components      jsonb NOT NULL,
  sequence        integer NOT NULL,
  retired         boolean NOT NULL,
  retired_reason  text,
  defined_by      text NOT NULL,
  defined_at      text NOT NULL,
  updated_by      text NOT NULL,
  updated_at      text NOT NULL,
  version         integer NOT NULL
);
CREATE INDEX calendar_entries_kind_idx ON calendar_entries (kind, retired);
CREATE TABLE components (
  component_id  text PRIMARY KEY,
  parent_id     text,
  declared_by   text NOT NULL,
  declared_at   text NOT NULL,
  version       integer NOT NULL
);
CREATE INDEX components_parent_idx ON components (parent_id);
`);
};
