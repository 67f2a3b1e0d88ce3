// The ledger's links move from one `ledger_links` row per link to a GIN index on the entries' own
// `links` column (issue 13, `compliance.ledger.ingest`). Every link row repeated what the entry's
// `links` holds, written by the same statement; a row and its primary-key entry cost the ingest
// ~8.5 µs of backend CPU per event (2.4 links), the GIN entries ~2.5 µs, pending-list merges
// included (250-event runs, 20 000 entries, 3 runs each). "What links W / R" is now
// `links @> '[{"kind": …, "id": …}]'` through this index, and a deleted entry takes its links
// with it: the delete trigger of migrations 0006 and 0007 goes.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE INDEX IF NOT EXISTS ledger_entries_links_idx ON ledger_entries USING gin (links jsonb_path_ops);
DROP TRIGGER IF EXISTS ledger_entries_delete_links ON ledger_entries;
DROP FUNCTION IF EXISTS ledger_entries_delete_links();
DROP TABLE IF EXISTS ledger_links;
`);
};
