import type { Pool, PoolClient } from 'pg';
import { canonicalEventBytes } from './canonical-event';
import type { Checkpoint } from './event-store.types';
import { readRangeHashes } from './event-tree.query';
import {
  EMPTY_TREE_HASH,
  HASH_SIZE,
  appendLeaves,
  consistencyProofRanges,
  foldNodes,
  leafHash,
  leafOffset,
  verifyConsistency,
} from './merkle-tree';
import { assertSchemaName, quoteIdent } from './schema-name';
import { SEALED_COLUMNS, toSealableEvent } from './sealed-fields.query';
import type { SealedRow } from './sealed-fields.query';
import { parseVerifierKey, verifySignedCheckpoint } from './signed-checkpoint';
import type { SignedTreeCheckpoint } from './signed-checkpoint';

export interface LogVerificationOptions {
  /**
   * Signed checkpoints (C2SP notes) kept outside the database, e.g. the latest published one and an
   * earlier one an auditor kept. Each must be signed by `verifierKey`; the tree must extend each.
   */
  readonly checkpoints?: readonly string[];
  /** `<name>+<key id>+<base64 key>` of the service's checkpoint key; required with checkpoints. */
  readonly verifierKey?: string;
  /** When set, every checkpoint must carry this origin. */
  readonly origin?: string;
}

export type LogVerification =
  | {
      readonly ok: true;
      /** Sealed events whose leaves matched: the sealed tree's size. */
      readonly checked: number;
      /** The sealed tree's root (hex); the empty tree's before the first seal. */
      readonly rootHash: string;
      /** Committed events after the sealed tree: not covered yet. */
      readonly unsealed: number;
      /** Signed checkpoints the tree was checked against (signature, root, consistency). */
      readonly checkpointsVerified: number;
    }
  | {
      readonly ok: false;
      /** Leaves that matched before the first bad one. */
      readonly checked: number;
      /** The first leaf index (0-based, commit-safe order) that is wrong or missing; null when unknown. */
      readonly firstBadLeaf: number | null;
      /** The event position at the first bad leaf; null when the event there is gone (removed at the end). */
      readonly firstBadPosition: bigint | null;
      readonly reason: string;
    };

/** The schema has no event store (no `events` or `event_tree_batches` table). */
export class EventStoreNotFound extends Error {
  constructor(readonly schema: string) {
    super(`no event store in schema ${JSON.stringify(schema)}`);
    this.name = 'EventStoreNotFound';
  }
}

interface BatchRow {
  readonly tree_size: string;
  readonly start_size: string;
  readonly first_node: string;
  readonly last_transaction_id: string;
  readonly last_position: string;
  readonly root_hash: Buffer;
  readonly node_hashes: Buffer;
}

interface Leaves {
  readonly hashes: Buffer[];
  readonly events: Checkpoint[];
}

const PAGE_SIZE = 1000;
const BATCH_PAGE_SIZE = 50;

/**
 * Recomputes the Merkle tree over every event in commit-safe order, compares it leaf by leaf and
 * node by node with `event_tree_batches`, then checks it against signed checkpoints kept outside
 * the database: signature, the root at the checkpoint's size, and an RFC 6962 consistency proof
 * from the stored tree between consecutive checkpoints and the tree head. Reads only, in one
 * REPEATABLE READ snapshot, so a sealer or appenders running meanwhile cannot make an intact store
 * look tampered. Names the first bad leaf and position for a changed, inserted, removed or
 * reordered event, a changed or removed batch, and — through a checkpoint — events removed at the
 * end together with their batches.
 */
export async function verifyEventLog(
  pool: Pool,
  schema: string,
  options: LogVerificationOptions = {},
): Promise<LogVerification> {
  assertSchemaName(schema);
  const verifierKey =
    options.verifierKey === undefined ? undefined : parseVerifierKey(options.verifierKey);
  if ((options.checkpoints?.length ?? 0) > 0 && !verifierKey)
    throw new Error('verifyEventLog: checkpoints need a verifierKey');
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await verifyInSnapshot(client, schema, options, (note) =>
      verifySignedCheckpoint(note, verifierKey!),
    );
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function verifyInSnapshot(
  client: PoolClient,
  schema: string,
  options: LogVerificationOptions,
  verifyNote: (note: string) => SignedTreeCheckpoint,
): Promise<LogVerification> {
  const s = quoteIdent(schema);
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS found`,
    [`${s}.events`, `${s}.event_tree_batches`],
  );
  if (!rows[0]?.found) throw new EventStoreNotFound(schema);

  const leaves = await readLeaves(client, schema);
  const n = leaves.hashes.length;
  const positionAt = (leaf: number): bigint | null => leaves.events[leaf]?.position ?? null;
  const fail = (
    checked: number,
    firstBadLeaf: number | null,
    reason: string,
    position?: bigint,
  ): LogVerification => ({
    ok: false,
    checked,
    firstBadLeaf,
    firstBadPosition: position ?? (firstBadLeaf === null ? null : positionAt(firstBadLeaf)),
    reason,
  });
  const after = (leaf: number) =>
    leaf > 0 ? ` (after position ${positionAt(leaf - 1)})` : ' (from the first event on)';

  // 1. The stored tree, batch by batch, against the recomputed one.
  let size = 0;
  let frontier: Buffer[] = [];
  for await (const batch of readBatches(client, schema)) {
    const start = Number(batch.start_size);
    const end = Number(batch.tree_size);
    if (start !== size) {
      return fail(
        size,
        size,
        start > size
          ? `the tree batches covering leaves ${size}..${start - 1} are missing (deleted?)`
          : `tree batch for leaves ${start}..${end - 1} overlaps the previous batch (inserted?)`,
      );
    }
    if (Number(batch.first_node) !== leafOffset(start))
      return fail(size, start, `tree batch for leaves ${start}..${end - 1} has a wrong first_node`);
    const stored = (leaf: number) =>
      batch.node_hashes.subarray(
        (leafOffset(leaf) - leafOffset(start)) * HASH_SIZE,
        (leafOffset(leaf) - leafOffset(start) + 1) * HASH_SIZE,
      );
    for (let leaf = start; leaf < end; leaf++) {
      if (leaf >= n) {
        const position = leaf === end - 1 ? BigInt(batch.last_position) : undefined;
        return fail(
          leaf,
          leaf,
          `the events sealed at leaves ${leaf}..${end - 1}${after(leaf)} are missing (removed); the last of them had position ${batch.last_position}`,
          position,
        );
      }
      if (!stored(leaf).equals(leaves.hashes[leaf]!)) {
        return fail(leaf, leaf, describeLeafMismatch(leaf, end, stored, leaves.hashes, positionAt));
      }
    }
    const grown = appendLeaves(start, frontier, leaves.hashes.slice(start, end));
    if (!Buffer.concat(grown.nodes).equals(batch.node_hashes)) {
      return fail(
        start,
        start,
        `the stored tree nodes of the batch for leaves ${start}..${end - 1} were changed`,
      );
    }
    if (!foldNodes(grown.frontier).equals(batch.root_hash)) {
      return fail(
        start,
        start,
        `the stored root of the batch for leaves ${start}..${end - 1} was changed`,
      );
    }
    const last = leaves.events[end - 1]!;
    if (
      last.transactionId.toString() !== batch.last_transaction_id ||
      last.position.toString() !== batch.last_position
    ) {
      return fail(
        start,
        end - 1,
        `the batch for leaves ${start}..${end - 1} names another last event (position ${batch.last_position})`,
      );
    }
    frontier = grown.frontier;
    size = end;
  }

  // 2. Signed checkpoints kept outside: signature, size, root, and consistency between them.
  const checkpoints: SignedTreeCheckpoint[] = [];
  for (const note of options.checkpoints ?? []) {
    let checkpoint: SignedTreeCheckpoint;
    try {
      checkpoint = verifyNote(note);
    } catch (error) {
      return fail(
        size,
        null,
        `a checkpoint kept outside is not valid: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (options.origin !== undefined && checkpoint.origin !== options.origin) {
      return fail(
        size,
        null,
        `a checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(options.origin)}`,
      );
    }
    checkpoints.push(checkpoint);
  }
  checkpoints.sort((a, b) => a.treeSize - b.treeSize);
  const roots = rootsAt(
    leaves.hashes,
    checkpoints.map((c) => c.treeSize),
  );
  let goodSize = 0;
  for (const checkpoint of checkpoints) {
    if (checkpoint.treeSize > size) {
      const first = Math.min(size, n);
      return fail(
        first,
        first,
        `a signed checkpoint commits to ${checkpoint.treeSize} events, the sealed tree holds ${size}` +
          (checkpoint.treeSize > n
            ? `: the events at leaves ${n}..${checkpoint.treeSize - 1}${after(n)} were removed together with their seals`
            : ': tree batches were removed'),
      );
    }
    if (!roots.get(checkpoint.treeSize)!.equals(checkpoint.rootHash)) {
      return fail(
        goodSize,
        goodSize,
        `the events at leaves ${goodSize}..${checkpoint.treeSize - 1} do not hash to the root signed for size ${checkpoint.treeSize}: ` +
          'changed, inserted, removed or reordered together with their tree batches',
      );
    }
    goodSize = checkpoint.treeSize;
  }
  const heads = [
    ...checkpoints.map((c) => ({ treeSize: c.treeSize, rootHash: c.rootHash })),
    { treeSize: size, rootHash: size === 0 ? EMPTY_TREE_HASH : foldNodes(frontier) },
  ];
  for (let i = 0; i + 1 < heads.length; i++) {
    const [from, to] = [heads[i]!, heads[i + 1]!];
    if (from.treeSize === 0 || from.treeSize === to.treeSize) continue;
    const proof = await readRangeHashesAt(client, schema, from.treeSize, to.treeSize);
    if (!verifyConsistency(from.treeSize, to.treeSize, from.rootHash, to.rootHash, proof)) {
      return fail(
        from.treeSize,
        from.treeSize,
        `the stored tree does not prove size ${to.treeSize} consistent with the checkpoint of size ${from.treeSize}`,
      );
    }
  }
  return {
    ok: true,
    checked: size,
    rootHash: heads[heads.length - 1]!.rootHash.toString('hex'),
    unsealed: n - size,
    checkpointsVerified: checkpoints.length,
  };
}

function describeLeafMismatch(
  leaf: number,
  end: number,
  stored: (leaf: number) => Buffer,
  hashes: readonly Buffer[],
  positionAt: (leaf: number) => bigint | null,
): string {
  const at = `leaf ${leaf} (event at position ${positionAt(leaf)})`;
  if (hashes[leaf + 1]?.equals(stored(leaf)))
    return `${at} was not sealed there: an event was inserted (or moved) in front of the sealed ones`;
  if (leaf + 1 < end && hashes[leaf]!.equals(stored(leaf + 1)))
    return `the event sealed at leaf ${leaf} is missing before position ${positionAt(leaf)} (removed)`;
  if (hashes.some((hash, i) => i !== leaf && hash.equals(stored(leaf))))
    return `${at}: the sealed event is elsewhere in the order (reordered)`;
  return `${at} does not match its sealed leaf hash (changed, or an event removed)`;
}

async function readRangeHashesAt(
  client: PoolClient,
  schema: string,
  from: number,
  to: number,
): Promise<Buffer[]> {
  return readRangeHashes(client, schema, consistencyProofRanges(from, to));
}

/** MTH of the first `size` leaves for each size. */
function rootsAt(hashes: readonly Buffer[], sizes: readonly number[]): Map<number, Buffer> {
  const wanted = new Set(sizes.filter((size) => size <= hashes.length));
  const roots = new Map<number, Buffer>();
  if (wanted.has(0)) roots.set(0, EMPTY_TREE_HASH);
  let frontier: Buffer[] = [];
  const largest = Math.max(0, ...wanted);
  for (let size = 0; size < largest; size++) {
    frontier = appendLeaves(size, frontier, [hashes[size]!]).frontier;
    if (wanted.has(size + 1)) roots.set(size + 1, foldNodes(frontier));
  }
  return roots;
}

/** Every event visible in the snapshot, in commit-safe order, as its leaf hash. */
async function readLeaves(client: PoolClient, schema: string): Promise<Leaves> {
  const text = `SELECT ${SEALED_COLUMNS} FROM ${quoteIdent(schema)}.events e
                 WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                 ORDER BY e.transaction_id, e.position LIMIT $3`;
  const hashes: Buffer[] = [];
  const events: Checkpoint[] = [];
  let after: Checkpoint = { transactionId: 0n, position: 0n };
  for (;;) {
    const { rows } = await client.query<SealedRow>(text, [
      after.transactionId.toString(),
      after.position.toString(),
      PAGE_SIZE,
    ]);
    for (const row of rows) {
      const event = toSealableEvent(row);
      after = { transactionId: event.transactionId, position: event.position };
      events.push(after);
      hashes.push(leafHash(canonicalEventBytes(event)));
    }
    if (rows.length < PAGE_SIZE) return { hashes, events };
  }
}

async function* readBatches(client: PoolClient, schema: string): AsyncGenerator<BatchRow> {
  const text = `SELECT tree_size::text AS tree_size, start_size::text AS start_size, first_node::text AS first_node,
                       last_transaction_id::text AS last_transaction_id, last_position::text AS last_position, root_hash, node_hashes
                  FROM ${quoteIdent(schema)}.event_tree_batches t WHERE t.tree_size > $1 ORDER BY t.tree_size LIMIT $2`;
  let after = 0;
  for (;;) {
    const { rows } = await client.query<BatchRow>(text, [after, BATCH_PAGE_SIZE]);
    for (const row of rows) {
      after = Number(row.tree_size);
      yield row;
    }
    if (rows.length < BATCH_PAGE_SIZE) return;
  }
}
