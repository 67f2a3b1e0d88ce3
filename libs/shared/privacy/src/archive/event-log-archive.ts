import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';
import {
  SEALED_COLUMNS,
  assertSchemaName,
  canonicalEventBytes,
  leafHash,
  readConsistencyProof,
  readTreeHead,
  rootOfLeaves,
  toSealableEvent,
  verifyConsistency,
  type SealableEvent,
  type SealedRow,
} from '@trainyard/event-store';

/**
 * Archival of old ranges of a service's event log (issue 13 item 6; docs/adr/0013). Archives are
 * consecutive segments of the sealed tree from leaf 0: segment k holds leaves [from, to) as one
 * NDJSON file, each line exactly `canonicalEventBytes(event)` (the Merkle leaf data), and a manifest
 * with the file's SHA-256 and the RFC 6962 root of leaves [0, to). So the archive alone recomputes
 * every archived leaf and the tree root at each segment end, and a consistency proof from the
 * stored tree (or a signed checkpoint) ties those roots to the live log.
 */
export const ARCHIVE_FORMAT = 'trainyard.event-archive.v1';

export interface ArchiveManifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly schema: string;
  readonly fromLeaf: number;
  readonly toLeaf: number;
  readonly file: string;
  /** SHA-256 (hex) of the NDJSON file. */
  readonly sha256: string;
  /** RFC 6962 root (hex) of leaves [0, toLeaf): the tree head at the segment's end. */
  readonly rootAtEnd: string;
  readonly firstPosition: string;
  readonly lastPosition: string;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly exportedAt: string;
}

export interface ArchiveCandidate {
  readonly event: SealableEvent;
  readonly leaf: number;
}

export interface ArchiveExportOptions {
  readonly dir: string;
  /** Only events recorded before this instant are archived (the retention period). */
  readonly before: string;
  /**
   * A legal hold covering the event, if any: archival stops in front of it (segments are
   * contiguous prefixes, so a held event ends the range).
   */
  readonly heldBy?: (event: SealableEvent) => string | undefined;
  /** At most this many leaves in the new segment. Default 100 000. */
  readonly maxLeaves?: number;
  readonly now?: () => Date;
}

export type ArchiveExportResult =
  | { readonly exported: true; readonly manifest: ArchiveManifest; readonly stoppedBy?: string }
  | { readonly exported: false; readonly reason: string };

const PAGE = 1000;

const manifestName = (schema: string, from: number, to: number) =>
  `${schema}-leaves-${String(from).padStart(12, '0')}-${String(to).padStart(12, '0')}.manifest.json`;

/** The segments already in `dir` for `schema`, in leaf order. */
export async function readArchiveManifests(
  dir: string,
  schema: string,
): Promise<ArchiveManifest[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const manifests: ArchiveManifest[] = [];
  for (const name of names
    .filter((n) => n.startsWith(`${schema}-leaves-`) && n.endsWith('.manifest.json'))
    .sort())
    manifests.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as ArchiveManifest);
  return manifests.sort((a, b) => a.fromLeaf - b.fromLeaf);
}

async function* sealedEvents(pool: Pool, schema: string, fromLeaf: number, sealedSize: number) {
  let offset = fromLeaf;
  while (offset < sealedSize) {
    const { rows } = await pool.query<SealedRow>(
      `SELECT ${SEALED_COLUMNS} FROM "${schema}".events e
        ORDER BY e.transaction_id, e.position OFFSET $1 LIMIT $2`,
      [offset, Math.min(PAGE, sealedSize - offset)],
    );
    if (rows.length === 0) return;
    for (const row of rows) yield { event: toSealableEvent(row), leaf: offset++ };
  }
}

/**
 * Writes the next segment: sealed leaves after the last archived one, recorded before `before`,
 * up to the first held event. Reads only; the live rows stay (see the ADR for removing them).
 */
export async function exportArchiveSegment(
  pool: Pool,
  schema: string,
  options: ArchiveExportOptions,
): Promise<ArchiveExportResult> {
  assertSchemaName(schema);
  await mkdir(options.dir, { recursive: true });
  const previous = await readArchiveManifests(options.dir, schema);
  const fromLeaf = previous.at(-1)?.toLeaf ?? 0;
  const head = await readTreeHead(pool, schema);
  const sealedSize = head?.treeSize ?? 0;
  const maxLeaves = options.maxLeaves ?? 100_000;
  const cutoff = Date.parse(options.before);
  if (Number.isNaN(cutoff)) throw new Error(`before must be an instant, got ${options.before}`);

  // Leaves [0, from) come from the earlier segments (their own files), so the root at the end of
  // this one is computed the way an auditor will: from archive files only.
  const leaves: Buffer[] = [];
  for (const manifest of previous) leaves.push(...(await segmentLeaves(options.dir, manifest)));
  if (leaves.length !== fromLeaf)
    throw new Error(`the archive in ${options.dir} does not cover leaves 0..${fromLeaf - 1}`);

  const lines: Buffer[] = [];
  const events: SealableEvent[] = [];
  let stoppedBy: string | undefined;
  for await (const { event } of sealedEvents(
    pool,
    schema,
    fromLeaf,
    Math.min(sealedSize, fromLeaf + maxLeaves),
  )) {
    if (Date.parse(event.recordedAt) >= cutoff) break;
    const hold = options.heldBy?.(event);
    if (hold) {
      stoppedBy = `event at position ${event.position} is under legal hold ${hold}`;
      break;
    }
    const bytes = canonicalEventBytes(event);
    lines.push(bytes);
    events.push(event);
    leaves.push(leafHash(bytes));
  }
  if (events.length === 0)
    return {
      exported: false,
      reason:
        stoppedBy ??
        `no sealed event after leaf ${fromLeaf - 1} was recorded before ${options.before}`,
    };

  const toLeaf = fromLeaf + events.length;
  const body = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
  const file = manifestName(schema, fromLeaf, toLeaf).replace('.manifest.json', '.ndjson');
  await writeFile(join(options.dir, file), body, { flag: 'wx' });
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    schema,
    fromLeaf,
    toLeaf,
    file,
    sha256: createHash('sha256').update(body).digest('hex'),
    rootAtEnd: rootOfLeaves(leaves).toString('hex'),
    firstPosition: events[0]!.position.toString(),
    lastPosition: events.at(-1)!.position.toString(),
    firstRecordedAt: events[0]!.recordedAt,
    lastRecordedAt: events.at(-1)!.recordedAt,
    exportedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  await writeFile(
    join(options.dir, manifestName(schema, fromLeaf, toLeaf)),
    JSON.stringify(manifest, null, 2) + '\n',
    { flag: 'wx' },
  );
  return { exported: true, manifest, ...(stoppedBy ? { stoppedBy } : {}) };
}

async function segmentLeaves(dir: string, manifest: ArchiveManifest): Promise<Buffer[]> {
  const body = await readFile(join(dir, manifest.file));
  return splitLines(body).map((line) => leafHash(line));
}

const splitLines = (body: Buffer): Buffer[] => {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < body.length; i++)
    if (body[i] === 0x0a) {
      lines.push(body.subarray(start, i));
      start = i + 1;
    }
  if (start < body.length) lines.push(body.subarray(start));
  return lines;
};

export type ArchiveVerification =
  | {
      readonly ok: true;
      readonly segments: number;
      readonly leaves: number;
      readonly rootAtEnd: string;
      readonly liveChecked: boolean;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Verifies the archive of `schema` in `dir`: segments contiguous from leaf 0, each file's SHA-256,
 * each line canonical (re-encoding gives the same bytes) and in leaf order, the root at each
 * segment's end recomputed from the files alone. With `pool`, also that each such root is the live
 * tree's root at that size and that the live tree head is consistent with it (RFC 6962 consistency
 * proof from the stored nodes), so the archive and the live log are one log. Names the first
 * thing that fails.
 */
export async function verifyArchive(
  dir: string,
  schema: string,
  pool?: Pool,
): Promise<ArchiveVerification> {
  const manifests = await readArchiveManifests(dir, schema);
  if (manifests.length === 0)
    return { ok: false, reason: `no archive segments of ${schema} in ${dir}` };
  const leaves: Buffer[] = [];
  const head = pool ? await readTreeHead(pool, schema) : undefined;
  for (const manifest of manifests) {
    const name = `segment ${manifest.fromLeaf}..${manifest.toLeaf - 1}`;
    if (manifest.format !== ARCHIVE_FORMAT)
      return { ok: false, reason: `${name}: unknown format ${String(manifest.format)}` };
    if (manifest.fromLeaf !== leaves.length)
      return {
        ok: false,
        reason: `${name} does not start where the previous one ended (leaf ${leaves.length}): a segment is missing or overlaps`,
      };
    let body: Buffer;
    try {
      body = await readFile(join(dir, manifest.file));
    } catch {
      return { ok: false, reason: `${name}: file ${manifest.file} is missing` };
    }
    if (createHash('sha256').update(body).digest('hex') !== manifest.sha256)
      return {
        ok: false,
        reason: `${name}: ${manifest.file} does not match its SHA-256 (changed)`,
      };
    const lines = splitLines(body);
    if (lines.length !== manifest.toLeaf - manifest.fromLeaf)
      return {
        ok: false,
        reason: `${name}: holds ${lines.length} events, the manifest says ${manifest.toLeaf - manifest.fromLeaf}`,
      };
    for (const [i, line] of lines.entries()) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
      } catch {
        return { ok: false, reason: `${name}: leaf ${manifest.fromLeaf + i} is not JSON` };
      }
      const again = canonicalEventBytes({
        position: BigInt(String(parsed['position'])),
        streamId: String(parsed['streamId']),
        streamVersion: Number(parsed['streamVersion']),
        type: String(parsed['type']),
        schemaVersion: Number(parsed['schemaVersion']),
        data: parsed['data'],
        metadata: parsed['metadata'],
        recordedAt: String(parsed['recordedAt']),
      });
      if (!again.equals(line))
        return {
          ok: false,
          reason: `${name}: leaf ${manifest.fromLeaf + i} is not in canonical form`,
        };
      leaves.push(leafHash(line));
    }
    const root = rootOfLeaves(leaves).toString('hex');
    if (root !== manifest.rootAtEnd)
      return {
        ok: false,
        reason: `${name}: the archived leaves do not hash to the manifest's root at size ${manifest.toLeaf}`,
      };
    if (pool) {
      if (!head || head.treeSize < manifest.toLeaf)
        return {
          ok: false,
          reason: `${name}: the live tree holds ${head?.treeSize ?? 0} leaves, fewer than the archive`,
        };
      const proof = await readConsistencyProof(pool, schema, manifest.toLeaf, head.treeSize);
      if (proof.fromRoot.toString('hex') !== root)
        return {
          ok: false,
          reason: `${name}: the live tree's root at size ${manifest.toLeaf} is not the archive's (archive or log changed)`,
        };
      if (
        !verifyConsistency(
          manifest.toLeaf,
          head.treeSize,
          proof.fromRoot,
          proof.toRoot,
          proof.proof,
        )
      )
        return {
          ok: false,
          reason: `${name}: the live tree head is not consistent with the archive`,
        };
    }
  }
  return {
    ok: true,
    segments: manifests.length,
    leaves: leaves.length,
    rootAtEnd: rootOfLeaves(leaves).toString('hex'),
    liveChecked: !!pool,
  };
}
