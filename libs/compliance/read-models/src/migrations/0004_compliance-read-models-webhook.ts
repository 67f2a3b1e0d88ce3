// The GRC webhook's delivery state: one row per (event, subscriber). `pending` rows are the
// outbox the dispatcher drains (so deliveries survive restarts); `delivered` rows are kept for
// audit; `dead` rows are the dead-letter list an operator lists and replays. Secrets are never
// stored here: only the subscriber id (its URL and secret live in configuration).
// `pgm` is node-pg-migrate's MigrationBuilder, typed by the one method used.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  delivery_id      text PRIMARY KEY,
  subscriber_id    text NOT NULL,
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  body             text NOT NULL,
  status           text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_error       text,
  last_status      integer,
  created_at       timestamptz NOT NULL,
  delivered_at     timestamptz,
  dead_at          timestamptz,
  replayed_count   integer NOT NULL DEFAULT 0,
  UNIQUE (subscriber_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_dead_idx ON webhook_deliveries (dead_at) WHERE status = 'dead';
`);
};
