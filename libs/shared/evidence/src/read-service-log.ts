import type { Pool, PoolClient } from 'pg';
import {
  SEALED_COLUMNS,
  assertSchemaName,
  canonicalEventBytes,
  parseSignedCheckpoint,
  toSealableEvent,
  verifySignedCheckpoint,
} from '@trainyard/event-store';
import type { SealedRow } from '@trainyard/event-store';
import type { ServiceLogInput } from './assemble-bundle';
import type { LogEvent } from './bundle.types';

export interface ServiceLogSource {
  readonly service: string;
  /** The service's event store schema (its name unless DATABASE_SCHEMA says otherwise). */
  readonly schema: string;
  /** The service's checkpoint verifier key (`.local/audit/<schema>/checkpoint-key.pem.vkey`). */
  readonly verifierKey: string;
  /** Checkpoints published outside the database (the checkpoint directory), if at hand. */
  readonly publishedCheckpoints?: readonly string[];
  /** Earlier checkpoints the bundle must prove consistency with (the last bundle's, an auditor's). */
  readonly earlierCheckpoints?: readonly string[];
}

/** The service's schema has no signed checkpoint yet: nothing can be proven. */
export class NoCheckpointError extends Error {
  override readonly name = 'NoCheckpointError';
}

const PAGE = 1000;

/** Whether `schema` holds an event store (events and its tree tables). */
export async function hasEventStore(pool: Pool, schema: string): Promise<boolean> {
  assertSchemaName(schema);
  const { rows } = await pool.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS found`,
    [`"${schema}".events`, `"${schema}".event_tree_checkpoints`],
  );
  return rows[0]?.found === true;
}

/**
 * One service's log as of its newest signed checkpoint (from the database or the published
 * directory, whichever is larger and verifies with the key): every leaf of that tree, in one
 * REPEATABLE READ snapshot, and how many committed events are newer.
 */
export async function readServiceLog(
  pool: Pool,
  source: ServiceLogSource,
): Promise<ServiceLogInput> {
  const schema = assertSchemaName(source.schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: stored } = await client.query<{ note: string }>(
      `SELECT note FROM "${schema}".event_tree_checkpoints ORDER BY tree_size DESC, signed_at DESC LIMIT 1`,
    );
    const candidates = [...stored.map((r) => r.note), ...(source.publishedCheckpoints ?? [])]
      .filter((note) => {
        try {
          verifySignedCheckpoint(note, source.verifierKey);
          return true;
        } catch {
          return false;
        }
      })
      .sort((a, b) => parseSignedCheckpoint(b).treeSize - parseSignedCheckpoint(a).treeSize);
    const note = candidates[0];
    if (note === undefined)
      throw new NoCheckpointError(
        `${source.service}: no checkpoint signed by its verifier key in schema ${schema}: start the service once (it signs at start) or check the key`,
      );
    const treeSize = parseSignedCheckpoint(note).treeSize;
    const events = await readLeaves(client, schema, treeSize);
    if (events.length < treeSize)
      throw new Error(
        `${source.service}: its signed checkpoint covers ${treeSize} events, the log holds ${events.length}; run npm run audit:verify -- --service ${source.service}`,
      );
    const { rows: count } = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "${schema}".events`,
    );
    await client.query('COMMIT');
    return {
      service: source.service,
      checkpointNote: note,
      verifierKey: source.verifierKey,
      events,
      eventsAfterCheckpoint: Number(count[0]!.n) - treeSize,
      ...(source.earlierCheckpoints ? { earlierCheckpoints: source.earlierCheckpoints } : {}),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The first `treeSize` events in commit-safe order (ADR 0003/0010): the tree's leaves. */
async function readLeaves(
  client: PoolClient,
  schema: string,
  treeSize: number,
): Promise<LogEvent[]> {
  const text = `SELECT ${SEALED_COLUMNS} FROM "${schema}".events e
                 WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                 ORDER BY e.transaction_id, e.position LIMIT $3`;
  const events: LogEvent[] = [];
  let after = { transactionId: '0', position: '0' };
  while (events.length < treeSize) {
    const { rows } = await client.query<SealedRow>(text, [
      after.transactionId,
      after.position,
      Math.min(PAGE, treeSize - events.length),
    ]);
    for (const row of rows) {
      after = { transactionId: row.transaction_id, position: row.position };
      events.push({
        leafIndex: events.length,
        canonical: canonicalEventBytes(toSealableEvent(row)).toString('utf8'),
      });
    }
    if (rows.length === 0) break;
  }
  return events;
}
