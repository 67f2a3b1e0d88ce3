import type { MigrationBuilder } from 'node-pg-migrate';

// The messaging tables as the first, unversioned code created them; idempotent, so a schema created
// by that code is adopted unchanged.
// - relay_checkpoints: where each outbox relay has published up to (a formatted store Checkpoint).
// - inbox: the event ids each consumer group has handled, written in the handler's transaction.
// - projection_checkpoints: where each projection has folded up to, written with its rows.
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS relay_checkpoints (
  name        text PRIMARY KEY,
  checkpoint  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS inbox (
  consumer_group  text NOT NULL,
  event_id        text NOT NULL,
  handled_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inbox_pkey PRIMARY KEY (consumer_group, event_id)
);
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  projection  text PRIMARY KEY,
  checkpoint  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
`);
};
