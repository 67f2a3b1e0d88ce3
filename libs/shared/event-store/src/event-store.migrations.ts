import type { Pool } from 'pg';
import { merkleLogDdl } from './merkle.migration';
import { assertSchemaName, quoteIdent } from './schema-name';

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: (schema: string) => string;
}

// Append-only list: a shipped migration is never edited, a change is a new version.
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, event_seals, immutability triggers',
    sql: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.events (
  position        bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text COLLATE "C" NOT NULL,
  stream_version  integer NOT NULL CHECK (stream_version > 0),
  event_type      text COLLATE "C" NOT NULL,
  schema_version  integer NOT NULL DEFAULT 1 CHECK (schema_version > 0),
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_pkey PRIMARY KEY (stream_id, stream_version)
);
-- The only other index: commit-safe order for readAll, subscriptions and the sealer (ADR 0003).
CREATE UNIQUE INDEX events_commit_order_idx ON ${s}.events (transaction_id, position);

COMMENT ON TABLE ${s}.events IS
  'Append-only event store (ADR 0003). UPDATE/DELETE/TRUNCATE are refused by triggers; tampering is detected by the seal chain.';

CREATE TABLE ${s}.event_seals (
  seq             bigint PRIMARY KEY CHECK (seq > 0),
  transaction_id  xid8 NOT NULL,
  position        bigint NOT NULL,
  hash            bytea NOT NULL CHECK (length(hash) = 32),
  sealed_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ${s}.event_seals IS
  'Hash chain over events in commit-safe order: hash_n = sha256(hash_{n-1} || canonical(event_n)).';

CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'events are immutable; record a compensating event instead';
END
$fn$;

-- ENABLE ALWAYS: the guards fire even under session_replication_role = replica.
CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON ${s}.events
  FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON ${s}.events
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change();
CREATE TRIGGER event_seals_refuse_update_delete BEFORE UPDATE OR DELETE ON ${s}.event_seals
  FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();
CREATE TRIGGER event_seals_refuse_truncate BEFORE TRUNCATE ON ${s}.event_seals
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_change();
ALTER TABLE ${s}.events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE ${s}.events ENABLE ALWAYS TRIGGER events_refuse_truncate;
ALTER TABLE ${s}.event_seals ENABLE ALWAYS TRIGGER event_seals_refuse_update_delete;
ALTER TABLE ${s}.event_seals ENABLE ALWAYS TRIGGER event_seals_refuse_truncate;

`;
    },
  },
];

export const EVENT_STORE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Creates or upgrades the event store in `schema` (creating the schema if needed). Idempotent and
 * safe to run concurrently: one transaction under a per-schema advisory lock applies the versions
 * not yet recorded in `<schema>.event_store_migrations`. Returns the versions it applied.
 */
export async function migrateEventStore(pool: Pool, schema: string): Promise<number[]> {
  assertSchemaName(schema);
  const s = quoteIdent(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `trainyard.event-store.migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.event_store_migrations (
         version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${s}.event_store_migrations`,
    );
    const current = rows[0]?.version ?? 0;
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql(schema));
      await client.query(
        `INSERT INTO ${s}.event_store_migrations (version, description) VALUES ($1, $2)`,
        [migration.version, migration.description],
      );
      applied.push(migration.version);
    }
    await client.query(merkleLogDdl(schema)); // merkle helper: idempotent, to become a versioned migration
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
