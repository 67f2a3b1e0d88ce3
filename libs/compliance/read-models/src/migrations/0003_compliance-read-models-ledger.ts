// The cross-service audit ledger (issue 13): one row per CloudEvent read from any service's topic,
// written in the inbox transaction, and the references it carries. `ledger_links` answers "what
// mentions workload W / release R"; the other indexes answer by actor, by control and by time.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS ledger_entries (
  event_id        text PRIMARY KEY,
  topic           text NOT NULL,
  source          text NOT NULL,
  source_service  text NOT NULL,
  type            text NOT NULL,
  event_type      text NOT NULL,
  trail_kind      text NOT NULL,
  subject         text,
  occurred_at     timestamptz NOT NULL,
  actor           text,
  ce_actor        text,
  correlation_id  text,
  causation_id    text,
  controls        text[] NOT NULL DEFAULT '{}',
  links           jsonb NOT NULL,
  data            jsonb,
  kafka_partition integer NOT NULL,
  kafka_offset    text NOT NULL,
  recorded_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_entries_time_idx ON ledger_entries (occurred_at, event_id);
CREATE INDEX IF NOT EXISTS ledger_entries_actor_idx ON ledger_entries (actor, occurred_at);
CREATE INDEX IF NOT EXISTS ledger_entries_ce_actor_idx ON ledger_entries (ce_actor, occurred_at);
CREATE INDEX IF NOT EXISTS ledger_entries_controls_idx ON ledger_entries USING gin (controls);

CREATE TABLE IF NOT EXISTS ledger_links (
  kind      text NOT NULL,
  ref_id    text NOT NULL,
  event_id  text NOT NULL REFERENCES ledger_entries (event_id) ON DELETE CASCADE,
  PRIMARY KEY (kind, ref_id, event_id)
);
CREATE INDEX IF NOT EXISTS ledger_links_event_idx ON ledger_links (event_id, kind);
`);
};
