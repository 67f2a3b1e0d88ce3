// What the ledger's ingest pays per event in PostgreSQL (issue 13, `compliance.ledger.ingest`),
// without losing a query's index:
// - The links' foreign key ran one RI check per link (~2.4 per event; EXPLAIN ANALYZE of a 250-event
//   run: 2.7–4.3 ms of its 9.7–14.9 ms). The ingest writes an entry's links in the statement that
//   inserts the entry, and nothing else writes links, so the check never finds anything to refuse.
//   Its other half, the cascade, is kept: a statement trigger deletes the links of deleted entries
//   (the retention sweep's pages) through `ledger_links_event_idx`, one statement per delete.
// - `ce_actor` is indexed only where it differs from `actor`: the actor query asks for
//   `actor = $1 OR (ce_actor = $1 AND ce_actor IS DISTINCT FROM actor)`, which finds the same rows.
// - The controls GIN index leaves out entries without controls (most events cite none); the control
//   query adds `controls <> '{}'`, which a containment of one tag implies.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE OR REPLACE FUNCTION ledger_entries_delete_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'DELETE FROM %I.ledger_links WHERE event_id = ANY (ARRAY(SELECT event_id FROM gone))',
    TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS ledger_entries_delete_links ON ledger_entries;
CREATE TRIGGER ledger_entries_delete_links AFTER DELETE ON ledger_entries
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_delete_links();
ALTER TABLE ledger_links DROP CONSTRAINT IF EXISTS ledger_links_event_id_fkey;

DROP INDEX IF EXISTS ledger_entries_ce_actor_idx;
CREATE INDEX IF NOT EXISTS ledger_entries_ce_actor_other_idx ON ledger_entries (ce_actor, occurred_at)
  WHERE ce_actor IS DISTINCT FROM actor;
DROP INDEX IF EXISTS ledger_entries_controls_idx;
CREATE INDEX IF NOT EXISTS ledger_entries_some_controls_idx ON ledger_entries USING gin (controls)
  WHERE controls <> '{}';
`);
};
