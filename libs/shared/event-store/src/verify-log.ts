import type { Pool, PoolClient } from 'pg';
import { readRangeHashes } from './event-tree.query';
import { consistencyProofRanges, verifyConsistency } from './merkle-tree';
import { assertSchemaName, quoteIdent } from './schema-name';
import { parseVerifierKey, verifySignedCheckpoint } from './signed-checkpoint';
import type { SignedTreeCheckpoint } from './signed-checkpoint';
import { EventLeafReader, readBatches } from './verify-log.query';
import { EventStoreNotFound } from './verify-log.types';
import type {
  LogVerification,
  LogVerificationFailure,
  LogVerificationOptions,
} from './verify-log.types';
import { SealedTreeWalk, fail } from './verify-log.walk';
import type { SealedTreeWalked } from './verify-log.walk';

export { EventStoreNotFound } from './verify-log.types';
export type {
  LogVerification,
  LogVerificationOptions,
  LogVerificationStats,
} from './verify-log.types';

const DEFAULT_PAGE_SIZE = 1000;

/**
 * Recomputes the Merkle tree over every event in commit-safe order, compares it leaf by leaf and
 * node by node with `event_tree_batches`, and checks it against signed checkpoints kept outside
 * the database: signature, the root at the checkpoint's size, and an RFC 6962 consistency proof
 * from the stored tree between consecutive checkpoints and the tree head. Reads only, in one
 * REPEATABLE READ snapshot, so a sealer or appenders running meanwhile cannot make an intact store
 * look tampered. Streams: one page of events and the tree's compact range (O(log n) nodes) in
 * memory, however long the log. Names the first bad leaf and position for a changed, inserted,
 * removed or reordered event, a changed or removed batch, and — through a checkpoint — events
 * removed at the end together with their batches.
 */
export async function verifyEventLog(
  pool: Pool,
  schema: string,
  options: LogVerificationOptions = {},
): Promise<LogVerification> {
  assertSchemaName(schema);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1)
    throw new RangeError(`verifyEventLog: pageSize ${pageSize} is not a positive integer`);
  const verifierKey =
    options.verifierKey === undefined ? undefined : parseVerifierKey(options.verifierKey);
  if ((options.checkpoints?.length ?? 0) > 0 && !verifierKey)
    throw new Error('verifyEventLog: checkpoints need a verifierKey');
  const checkpoints = checkCheckpoints(options, (note) =>
    verifySignedCheckpoint(note, verifierKey!),
  );
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = Array.isArray(checkpoints)
      ? await verifyInSnapshot(client, schema, checkpoints, pageSize, options)
      : checkpoints;
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The checkpoints kept outside, signature and origin checked, by tree size; or why one is refused. */
function checkCheckpoints(
  options: LogVerificationOptions,
  verifyNote: (note: string) => SignedTreeCheckpoint,
): SignedTreeCheckpoint[] | LogVerificationFailure {
  const checkpoints: SignedTreeCheckpoint[] = [];
  for (const note of options.checkpoints ?? []) {
    let checkpoint: SignedTreeCheckpoint;
    try {
      checkpoint = verifyNote(note);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return fail(0, null, `a checkpoint kept outside is not valid: ${message}`, null);
    }
    if (options.origin !== undefined && checkpoint.origin !== options.origin) {
      return fail(
        0,
        null,
        `a checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(options.origin)}`,
        null,
      );
    }
    checkpoints.push(checkpoint);
  }
  return checkpoints.sort((a, b) => a.treeSize - b.treeSize);
}

async function verifyInSnapshot(
  client: PoolClient,
  schema: string,
  checkpoints: readonly SignedTreeCheckpoint[],
  pageSize: number,
  options: LogVerificationOptions,
): Promise<LogVerification> {
  const s = quoteIdent(schema);
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS found`,
    [`${s}.events`, `${s}.event_tree_batches`],
  );
  if (!rows[0]?.found) throw new EventStoreNotFound(schema);

  const reader = new EventLeafReader(client, schema, pageSize);
  const batchStats = { maxBatchRowsHeld: 0 };
  const walk = new SealedTreeWalk(reader, checkpoints);
  const walked = await walk.run(readBatches(client, schema, batchStats));
  options.onStats?.({ ...reader.stats, ...batchStats, maxNodesKept: walk.maxNodesKept });
  if (!walked.ok) return walked;
  return (
    checkBeyondTree(walked, checkpoints) ??
    (await checkConsistency(client, schema, walked, checkpoints)) ?? {
      ok: true,
      checked: walked.size,
      rootHash: walked.rootHash.toString('hex'),
      unsealed: walked.events - walked.size,
      checkpointsVerified: checkpoints.length,
    }
  );
}

/** A checkpoint beyond the sealed tree: its events, or their batches, were removed. */
function checkBeyondTree(
  walked: SealedTreeWalked,
  checkpoints: readonly SignedTreeCheckpoint[],
): LogVerificationFailure | undefined {
  const { size, events } = walked;
  const beyond = checkpoints.find((c) => c.treeSize > size);
  if (!beyond) return undefined;
  const after =
    walked.lastPosition === null
      ? ' (from the first event on)'
      : ` (after position ${walked.lastPosition})`;
  return fail(
    size,
    size,
    `a signed checkpoint commits to ${beyond.treeSize} events, the sealed tree holds ${size}` +
      (beyond.treeSize > events
        ? `: the events at leaves ${events}..${beyond.treeSize - 1}${after} were removed together with their seals`
        : ': tree batches were removed'),
    walked.positionAtSize,
  );
}

/** RFC 6962 consistency proofs, from the stored tree, between consecutive checkpoints and the head. */
async function checkConsistency(
  client: PoolClient,
  schema: string,
  walked: SealedTreeWalked,
  checkpoints: readonly SignedTreeCheckpoint[],
): Promise<LogVerificationFailure | undefined> {
  const heads = [...checkpoints, { treeSize: walked.size, rootHash: walked.rootHash }];
  for (let i = 0; i + 1 < heads.length; i++) {
    const [from, to] = [heads[i]!, heads[i + 1]!];
    if (from.treeSize === 0 || from.treeSize === to.treeSize) continue;
    const ranges = consistencyProofRanges(from.treeSize, to.treeSize);
    const proof = await readRangeHashes(client, schema, ranges);
    if (!verifyConsistency(from.treeSize, to.treeSize, from.rootHash, to.rootHash, proof)) {
      return fail(
        from.treeSize,
        from.treeSize,
        `the stored tree does not prove size ${to.treeSize} consistent with the checkpoint of size ${from.treeSize}`,
        walked.positions.get(from.treeSize) ?? null,
      );
    }
  }
  return undefined;
}
