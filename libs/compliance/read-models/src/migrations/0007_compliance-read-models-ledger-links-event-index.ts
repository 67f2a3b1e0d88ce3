// `ledger_links_event_idx (event_id, kind)` cost the ingest 6.6 µs per event (2.4 links, random
// event ids; the ledger statement on a 250-event run, best of 25, 20 000 entries: links insert 15.0
// → 8.4 µs per event without it). What it answered, an entry's links by event id, each entry
// carries in its own `links` column, written by the same statement as its link rows: the workload
// trail and the releases committed in a period read them there (by primary key of the entry), and
// deleting an entry deletes its link rows through the links' primary key. The trigger function
// allows only a nested loop over that key: planned from the transition table's row count and a
// guess of 100 links per entry, a retention page of 500 entries otherwise got a join that read
// every link (383 ms on 440 000 links, against a few ms).
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE OR REPLACE FUNCTION ledger_entries_delete_links() RETURNS trigger LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
  EXECUTE format(
    'DELETE FROM %I.ledger_links l
       USING gone g CROSS JOIN LATERAL jsonb_array_elements(g.links) AS x
      WHERE l.kind = x ->> ''kind'' AND l.ref_id = x ->> ''id'' AND l.event_id = g.event_id',
    TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;
DROP INDEX IF EXISTS ledger_links_event_idx;
`);
};
