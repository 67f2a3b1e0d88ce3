import type { Pool, PoolClient } from 'pg';
import { canonicalEventBytes } from './canonical-event';
import {
  EMPTY_TREE_HASH,
  HASH_SIZE,
  consistencyProofRanges,
  foldNodes,
  inclusionProofRanges,
  leafHash,
  nodeOffset,
  perfectNodes,
} from './merkle-tree';
import type { LeafRange, TreeNode } from './merkle-tree';
import { assertSchemaName, quoteIdent } from './schema-name';
import { SEALED_COLUMNS, toSealableEvent } from './sealed-fields.query';
import type { SealableEvent, SealedRow } from './sealed-fields.query';

type Queryable = Pool | PoolClient;

/** The sealed tree's newest batch: its size, root and the last event it covers. */
export interface TreeHead {
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly lastTransactionId: bigint;
  readonly lastPosition: bigint;
}

export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly leafHash: Buffer;
  /** The leaf's data: canonicalEventBytes of the event. */
  readonly leafData: Buffer;
  readonly event: SealableEvent;
  readonly proof: Buffer[];
}

export interface ConsistencyProof {
  readonly fromSize: number;
  readonly toSize: number;
  readonly fromRoot: Buffer;
  readonly toRoot: Buffer;
  readonly proof: Buffer[];
}

/** A proof was asked for a size the sealed tree has not reached, or for a leaf outside it. */
export class TreeRangeError extends RangeError {
  override readonly name = 'TreeRangeError';
}

export async function readTreeHead(db: Queryable, schema: string): Promise<TreeHead | undefined> {
  const { rows } = await db.query<{
    tree_size: string;
    root_hash: Buffer;
    last_transaction_id: string;
    last_position: string;
  }>(
    `SELECT tree_size::text AS tree_size, root_hash, last_transaction_id::text AS last_transaction_id, last_position::text AS last_position
       FROM ${quoteIdent(schema)}.event_tree_batches t ORDER BY t.tree_size DESC LIMIT 1`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    lastTransactionId: BigInt(row.last_transaction_id),
    lastPosition: BigInt(row.last_position),
  };
}

/** The stored hashes of `nodes` (each must be complete in the sealed tree), in one round trip. */
export async function readNodes(
  db: Queryable,
  schema: string,
  nodes: readonly TreeNode[],
): Promise<Buffer[]> {
  if (nodes.length === 0) return [];
  const offsets = nodes.map((node) => nodeOffset(node).toString());
  const { rows } = await db.query<{ ord: string; hash: Buffer | null }>(
    `SELECT q.ord::text AS ord, substring(b.node_hashes FROM (q.off - b.first_node)::int * ${HASH_SIZE} + 1 FOR ${HASH_SIZE}) AS hash
       FROM unnest($1::bigint[]) WITH ORDINALITY AS q(off, ord)
       LEFT JOIN LATERAL (SELECT first_node, node_hashes FROM ${quoteIdent(schema)}.event_tree_batches t
                           WHERE t.first_node <= q.off ORDER BY t.first_node DESC LIMIT 1) b ON true
      ORDER BY q.ord`,
    [offsets],
  );
  return rows.map((row, i) => {
    if (!row.hash || row.hash.length !== HASH_SIZE) {
      throw new TreeRangeError(
        `tree node ${JSON.stringify(nodes[i])} is not stored (sealed tree too small, or tree storage damaged)`,
      );
    }
    return row.hash;
  });
}

/** MTH of each range (RFC 6962 subtrees), reading every perfect node they need in one round trip. */
export async function readRangeHashes(
  db: Queryable,
  schema: string,
  ranges: readonly LeafRange[],
): Promise<Buffer[]> {
  const perRange = ranges.map((range) => perfectNodes(range));
  const hashes = await readNodes(db, schema, perRange.flat());
  let at = 0;
  return perRange.map((nodes) => foldNodes(hashes.slice(at, (at += nodes.length))));
}

export async function treeRoot(db: Queryable, schema: string, treeSize: number): Promise<Buffer> {
  if (treeSize === 0) return EMPTY_TREE_HASH;
  const [root] = await readRangeHashes(db, schema, [{ start: 0, end: treeSize }]);
  return root!;
}

/**
 * RFC 6962 §2.1.1 audit path of leaf `leafIndex` in the tree of `treeSize` leaves (default: the
 * sealed tree), with the event it covers. One snapshot; O(log n) stored nodes read.
 */
export async function readInclusionProof(
  pool: Pool,
  schema: string,
  leafIndex: number,
  treeSize?: number,
): Promise<InclusionProof> {
  assertSchemaName(schema);
  return inSnapshot(pool, async (client) => {
    const head = await readTreeHead(client, schema);
    const size = treeSize ?? head?.treeSize ?? 0;
    if (size > (head?.treeSize ?? 0))
      throw new TreeRangeError(
        `tree size ${size} exceeds the sealed tree (${head?.treeSize ?? 0})`,
      );
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= size) {
      throw new TreeRangeError(`leaf index ${leafIndex} is not in a tree of ${size} leaves`);
    }
    const ranges = inclusionProofRanges(leafIndex, size);
    const hashes = await readRangeHashes(client, schema, [
      ...ranges,
      { start: 0, end: size },
      { start: leafIndex, end: leafIndex + 1 },
    ]);
    const event = await readLeafEvent(client, schema, leafIndex);
    const leafData = canonicalEventBytes(event);
    const storedLeaf = hashes[ranges.length + 1]!;
    if (!leafHash(leafData).equals(storedLeaf)) {
      throw new Error(
        `the event at leaf ${leafIndex} (position ${event.position}) does not match its sealed leaf hash: run audit:verify`,
      );
    }
    return {
      leafIndex,
      treeSize: size,
      rootHash: hashes[ranges.length]!,
      leafHash: storedLeaf,
      leafData,
      event,
      proof: hashes.slice(0, ranges.length),
    };
  });
}

/** RFC 6962 §2.1.2 proof that the tree of `toSize` (default: the sealed tree) extends the one of `fromSize`. */
export async function readConsistencyProof(
  pool: Pool,
  schema: string,
  fromSize: number,
  toSize?: number,
): Promise<ConsistencyProof> {
  assertSchemaName(schema);
  return inSnapshot(pool, async (client) => {
    const head = await readTreeHead(client, schema);
    const to = toSize ?? head?.treeSize ?? 0;
    if (to > (head?.treeSize ?? 0))
      throw new TreeRangeError(`tree size ${to} exceeds the sealed tree (${head?.treeSize ?? 0})`);
    if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > to) {
      throw new TreeRangeError(`from size ${fromSize} must be 0..${to}`);
    }
    const ranges = consistencyProofRanges(fromSize, to);
    const hashes = await readRangeHashes(client, schema, [
      ...ranges,
      { start: 0, end: fromSize },
      { start: 0, end: to },
    ]);
    return {
      fromSize,
      toSize: to,
      proof: hashes.slice(0, ranges.length),
      fromRoot: hashes[ranges.length]!,
      toRoot: hashes[ranges.length + 1]!,
    };
  });
}

/** The event at leaf `leafIndex`: found through its batch, then by offset in commit-safe order. */
async function readLeafEvent(
  db: Queryable,
  schema: string,
  leafIndex: number,
): Promise<SealableEvent> {
  const s = quoteIdent(schema);
  const { rows } = await db.query<SealedRow>(
    `WITH b AS (SELECT start_size FROM ${s}.event_tree_batches WHERE start_size <= $1 ORDER BY start_size DESC LIMIT 1),
          p AS (SELECT coalesce((SELECT last_transaction_id FROM ${s}.event_tree_batches WHERE tree_size = (SELECT start_size FROM b)), '0'::xid8) AS xid,
                       coalesce((SELECT last_position FROM ${s}.event_tree_batches WHERE tree_size = (SELECT start_size FROM b)), 0) AS pos)
     SELECT ${SEALED_COLUMNS} FROM ${s}.events e, p
      WHERE (e.transaction_id, e.position) > (p.xid, p.pos)
      ORDER BY e.transaction_id, e.position
     OFFSET $1 - (SELECT start_size FROM b) LIMIT 1`,
    [leafIndex],
  );
  const row = rows[0];
  if (!row) throw new Error(`no event at leaf ${leafIndex}: run audit:verify`);
  return toSealableEvent(row);
}

async function inSnapshot<T>(pool: Pool, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
