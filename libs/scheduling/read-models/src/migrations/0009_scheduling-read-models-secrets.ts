// Sealed secret values of the job executors (issue 12, item 2). Not a projection: the value is
// never in an event, so this table is where it lives (envelope-encrypted: AES-256-GCM under a
// per-value data key, the data key wrapped by the operator's KEK named in kek_id). The secret's
// stream (`secret-<name>`) is the truth on which value_id is current; an unconfirmed row is a put
// whose event was not (yet) appended. Never edited once shipped.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE scheduling_secrets (
  value_id      uuid PRIMARY KEY,
  name          text NOT NULL,
  version       integer NOT NULL,
  kek_id        text NOT NULL,
  wrapped_key   bytea NOT NULL,
  sealed_value  bytea NOT NULL,
  confirmed     boolean NOT NULL DEFAULT false,
  created_at    text NOT NULL,
  created_by    text NOT NULL,
  rotated_at    text,
  rotated_by    text
);
CREATE UNIQUE INDEX scheduling_secrets_current_idx ON scheduling_secrets (name) WHERE confirmed;
CREATE INDEX scheduling_secrets_name_idx ON scheduling_secrets (name);
CREATE INDEX scheduling_secrets_kek_idx ON scheduling_secrets (kek_id);
`);
};
