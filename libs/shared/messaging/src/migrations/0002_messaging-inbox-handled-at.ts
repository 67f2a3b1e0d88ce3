import type { MigrationBuilder } from 'node-pg-migrate';

// The inbox is pruned by age (InboxPruner, inbox-pruner.ts): each batch takes the oldest rows
// handled before the window, so it reads them through this index instead of scanning the table.
// Built in the migration's transaction: inbox inserts (consumers) wait while it builds, which on
// an inbox never pruned before takes seconds per million rows (docs/readme-fragments/retention.md).
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`CREATE INDEX IF NOT EXISTS inbox_handled_at_idx ON inbox (handled_at);`);
};
