import type { Pool, PoolClient } from 'pg';
import { compareCheckpoints } from './checkpoint';
import type { Checkpoint } from './event-store.types';
import { GENESIS_HASH, chainHash } from './hash-chain';
import { assertSchemaName, quoteIdent } from './schema-name';
import { SEALED_COLUMNS, toSealableEvent } from './sealed-fields.query';
import type { SealableEvent, SealedRow } from './sealed-fields.query';

export type ChainVerification =
  | {
      readonly ok: true;
      /** Events whose seals matched. */
      readonly checked: number;
      /** The position of the last sealed event, null before the first seal. */
      readonly lastSealedPosition: bigint | null;
      /** The chain's head (hex), null before the first seal: record it elsewhere to detect truncation of the tail. */
      readonly lastSealHash: string | null;
      /** Committed events after the last seal: not covered by the chain yet. */
      readonly unsealed: number;
    }
  | {
      readonly ok: false;
      /** Events whose seals matched before the first bad one. */
      readonly checked: number;
      readonly firstBadPosition: bigint;
      readonly reason: string;
    };

/** The schema has no event store (no `events` or `event_seals` table). */
export class EventStoreNotFound extends Error {
  constructor(readonly schema: string) {
    super(`no event store in schema ${JSON.stringify(schema)}`);
    this.name = 'EventStoreNotFound';
  }
}

interface SealRow {
  readonly seq: string;
  readonly transaction_id: string;
  readonly position: string;
  readonly hash: string;
}

interface Seal extends Checkpoint {
  readonly seq: bigint;
  readonly hash: Buffer;
}

const PAGE_SIZE = 1000;

/**
 * Recomputes the seal chain over every event in commit-safe order and compares it with
 * `event_seals`; reads only. One REPEATABLE READ snapshot covers both tables, so a sealer or
 * appenders running meanwhile cannot make an intact store look tampered. Detects a changed event
 * (hash mismatch), a deleted one (a seal whose event is gone), an inserted one (an event inside
 * the sealed range without a seal), a reordering, and a changed, deleted or inserted seal. It
 * cannot detect events removed from or added after the chain's head: compare `lastSealHash` with
 * a copy kept elsewhere for that.
 */
export async function verifyEventChain(pool: Pool, schema: string): Promise<ChainVerification> {
  assertSchemaName(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await verifyInSnapshot(client, schema);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function verifyInSnapshot(client: PoolClient, schema: string): Promise<ChainVerification> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS found`,
    [`${quoteIdent(schema)}.events`, `${quoteIdent(schema)}.event_seals`],
  );
  if (!rows[0]?.found) throw new EventStoreNotFound(schema);

  const seals = readSeals(client, schema)[Symbol.asyncIterator]();
  let checked = 0;
  let unsealed = 0;
  let hash = GENESIS_HASH;
  let lastSeal: Seal | undefined;
  let seal = await next(seals);
  const fail = (firstBadPosition: bigint, reason: string): ChainVerification => ({
    ok: false,
    checked,
    firstBadPosition,
    reason,
  });

  for await (const event of readEvents(client, schema)) {
    if (!seal) {
      // Past the head. The sealer seals in commit-safe order, so nothing here may sort before it.
      if (lastSeal && compareCheckpoints(event, lastSeal) <= 0) {
        return fail(
          event.position,
          `event at position ${event.position} lies inside the sealed range but has no seal (inserted?)`,
        );
      }
      unsealed++;
      continue;
    }
    const expectedSeq = (lastSeal?.seq ?? 0n) + 1n;
    if (seal.seq !== expectedSeq) {
      return fail(
        event.position,
        `seal #${expectedSeq} is missing (the next seal is #${seal.seq})`,
      );
    }
    const order = compareCheckpoints(event, seal);
    if (order > 0) {
      return fail(
        seal.position,
        `sealed event at position ${seal.position} (seal #${seal.seq}) is missing (deleted or moved?)`,
      );
    }
    if (order < 0) {
      return fail(
        event.position,
        `event at position ${event.position} has no seal; seal #${seal.seq} covers position ${seal.position} next (inserted or moved?)`,
      );
    }
    hash = chainHash(hash, event);
    if (!hash.equals(seal.hash)) {
      return fail(
        event.position,
        `hash mismatch at seal #${seal.seq}: the event at position ${event.position} or its seal was changed`,
      );
    }
    checked++;
    lastSeal = seal;
    seal = await next(seals);
  }
  if (seal) {
    return fail(
      seal.position,
      `sealed event at position ${seal.position} (seal #${seal.seq}) is missing (deleted?)`,
    );
  }
  return {
    ok: true,
    checked,
    lastSealedPosition: lastSeal?.position ?? null,
    lastSealHash: lastSeal?.hash.toString('hex') ?? null,
    unsealed,
  };
}

async function next<T>(iterator: AsyncIterator<T>): Promise<T | undefined> {
  const result = await iterator.next();
  return result.done ? undefined : result.value;
}

/** Every event visible in the snapshot, in commit-safe order, one page at a time. */
async function* readEvents(client: PoolClient, schema: string): AsyncGenerator<SealableEvent> {
  const text = `SELECT ${SEALED_COLUMNS} FROM ${quoteIdent(schema)}.events e
                 WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                 ORDER BY e.transaction_id, e.position LIMIT $3`;
  let after: Checkpoint = { transactionId: 0n, position: 0n };
  for (;;) {
    const { rows } = await client.query<SealedRow>(text, [
      after.transactionId.toString(),
      after.position.toString(),
      PAGE_SIZE,
    ]);
    for (const row of rows) {
      const event = toSealableEvent(row);
      after = event;
      yield event;
    }
    if (rows.length < PAGE_SIZE) return;
  }
}

async function* readSeals(client: PoolClient, schema: string): AsyncGenerator<Seal> {
  const text = `SELECT seq::text AS seq, transaction_id::text AS transaction_id, position::text AS position,
                       encode(hash, 'hex') AS hash
                  FROM ${quoteIdent(schema)}.event_seals s WHERE s.seq > $1 ORDER BY s.seq LIMIT $2`;
  let after = 0n;
  for (;;) {
    const { rows } = await client.query<SealRow>(text, [after.toString(), PAGE_SIZE]);
    for (const row of rows) {
      after = BigInt(row.seq);
      yield {
        seq: after,
        transactionId: BigInt(row.transaction_id),
        position: BigInt(row.position),
        hash: Buffer.from(row.hash, 'hex'),
      };
    }
    if (rows.length < PAGE_SIZE) return;
  }
}
