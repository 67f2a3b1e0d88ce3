import type { MigrationBuilder } from 'node-pg-migrate';

// Event data above ~2 KB (a PolicyEvaluated with its rule-by-rule explanation is ~6.3 KB) is
// compressed when it is stored. PostgreSQL's default, pglz, made up about half of what appending
// 100 such events cost (quick bench, compliance.evaluate: 60–69 ms with pglz, 31–38 ms with lz4 or
// uncompressed, same events); lz4 compresses nearly as well at a fraction of the CPU, and
// decompresses faster for the readers, the relay and the sealer. Only values written from now on
// are affected (no rewrite, the stored rows and their hashes stay as they are). A server built
// without lz4 keeps pglz: the setting lists the methods it has.
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`
DO $lz4$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings
              WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4;
  END IF;
END
$lz4$;`);
};
