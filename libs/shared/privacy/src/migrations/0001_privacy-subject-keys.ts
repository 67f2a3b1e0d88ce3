// Per-subject data keys for crypto-shredding (docs/adr/0013-crypto-shredding.md). A key is stored
// only wrapped by the operator's KEK; erasure sets wrapped_key to NULL and keeps the row as the
// tombstone (who, when, why), so a later seal for the subject is refused instead of silently
// minting a new key.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS subject_keys (
  subject_id      text COLLATE "C" PRIMARY KEY,
  kid             text NOT NULL,
  wrapped_key     bytea,
  created_at      timestamptz NOT NULL DEFAULT now(),
  erased_at       timestamptz,
  erased_by       text,
  erasure_reason  text,
  CONSTRAINT subject_keys_erased_has_no_key CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL)),
  CONSTRAINT subject_keys_tombstone_complete CHECK (
    erased_at IS NULL OR (erased_by IS NOT NULL AND erasure_reason IS NOT NULL))
);
`);
};
