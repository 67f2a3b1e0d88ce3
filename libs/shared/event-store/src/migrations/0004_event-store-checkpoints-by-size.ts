import type { MigrationBuilder } from 'node-pg-migrate';

// "The latest checkpoint" is the one of the largest tree (then the last signed of that size), not
// the last by wall clock: a signer whose clock stepped back would otherwise hide a newer, larger
// checkpoint behind an older one. Tree sizes only grow, so this order holds whatever the clocks.
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(
    'CREATE INDEX IF NOT EXISTS event_tree_checkpoints_size_idx ON event_tree_checkpoints (tree_size, signed_at)',
  );
};
