import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalize as canonicalJson } from 'json-canonicalize';
import { leafHash, rootOfLeaves } from '@trainyard/event-store';

/**
 * Archive files for read-model and ledger rows that retention removes from the live tables
 * (issue 13 item 6; docs/adr/0013). One NDJSON file per archival, one line per row, each line the
 * RFC 8785 JSON of `{ id, recordType, recordedAt, row }`; a manifest beside it lists every line's
 * RFC 6962 leaf hash. The file's SHA-256 and the root of those leaf hashes are recorded in an event
 * of the service's transparency log (`RecordsArchived`), so an edit to the file, its manifest, or
 * both is detected against the sealed log, and the changed line is named.
 */
export const RECORD_ARCHIVE_FORMAT = 'trainyard.record-archive.v1';

export interface ArchivedRecord {
  readonly id: string;
  readonly recordedAt: string;
  /** The row as stored (JSON values; instants as ISO strings). */
  readonly row: unknown;
}

export interface RecordArchiveManifest {
  readonly format: typeof RECORD_ARCHIVE_FORMAT;
  readonly recordType: string;
  readonly file: string;
  readonly count: number;
  readonly sha256: string;
  readonly entriesRoot: string;
  readonly entries: readonly { readonly id: string; readonly leaf: string }[];
}

export interface WrittenRecordArchive {
  readonly file: string;
  readonly manifestFile: string;
  readonly sha256: string;
  readonly entriesRoot: string;
  readonly count: number;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
}

/** What the log recorded about an archive file (from `RecordsArchived`). */
export interface RecordedArchive {
  readonly file: string;
  readonly sha256: string;
  readonly entriesRoot: string;
  readonly count: number;
}

export type RecordArchiveVerification =
  | { readonly ok: true; readonly file: string; readonly count: number }
  | { readonly ok: false; readonly file: string; readonly reason: string };

const FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,200}\.ndjson$/;
const manifestOf = (file: string) => file.replace(/\.ndjson$/, '.manifest.json');

const lineOf = (recordType: string, record: ArchivedRecord): Buffer =>
  Buffer.from(
    canonicalJson({
      id: record.id,
      recordType,
      recordedAt: record.recordedAt,
      row: record.row,
    }),
    'utf8',
  );

async function writeDurably(path: string, body: Buffer | string): Promise<void> {
  const handle = await open(path, 'wx', 0o640);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `<name>.ndjson` and its manifest in `dir` (never overwriting) and syncs both to disk,
 * before the caller deletes the rows: a crash after this leaves a file no event names (harmless;
 * `verifyRecordArchive` checks only files the log recorded), never rows gone without their file.
 */
export async function writeRecordArchive(
  dir: string,
  name: string,
  recordType: string,
  records: readonly ArchivedRecord[],
): Promise<WrittenRecordArchive> {
  const file = `${name}.ndjson`;
  if (!FILE_NAME.test(file))
    throw new Error(`archive name ${JSON.stringify(name)} is not a file name`);
  if (records.length === 0) throw new Error('an archive holds at least one record');
  await mkdir(dir, { recursive: true });
  const lines = records.map((record) => lineOf(recordType, record));
  const leaves = lines.map((line) => leafHash(line));
  const body = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
  const sha256 = createHash('sha256').update(body).digest('hex');
  const entriesRoot = rootOfLeaves(leaves).toString('hex');
  const manifest: RecordArchiveManifest = {
    format: RECORD_ARCHIVE_FORMAT,
    recordType,
    file,
    count: records.length,
    sha256,
    entriesRoot,
    entries: records.map((r, i) => ({ id: r.id, leaf: leaves[i]!.toString('hex') })),
  };
  await writeDurably(join(dir, file), body);
  await writeDurably(join(dir, manifestOf(file)), JSON.stringify(manifest, null, 2) + '\n');
  return {
    file,
    manifestFile: manifestOf(file),
    sha256,
    entriesRoot,
    count: records.length,
    firstRecordedAt: records[0]!.recordedAt,
    lastRecordedAt: records.at(-1)!.recordedAt,
  };
}

/** Removes an archive whose rows were not deleted after all (the transaction rolled back). */
export async function discardRecordArchive(dir: string, file: string): Promise<void> {
  await rm(join(dir, file), { force: true });
  await rm(join(dir, manifestOf(file)), { force: true });
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

/**
 * Checks one archive file against what the log recorded about it: the file's SHA-256, its lines
 * against the manifest's leaf hashes, the manifest against the recorded root. Names the first
 * thing that fails: a missing file, a changed manifest, the changed, added or missing line (with
 * the record id), a line not in canonical form.
 */
export async function verifyRecordArchive(
  dir: string,
  recorded: RecordedArchive,
): Promise<RecordArchiveVerification> {
  const file = recorded.file;
  const fail = (reason: string): RecordArchiveVerification => ({ ok: false, file, reason });
  if (!FILE_NAME.test(file)) return fail(`${file}: not an archive file name`);
  let body: Buffer;
  try {
    body = await readFile(join(dir, file));
  } catch {
    return fail(`${file} is missing`);
  }
  let manifest: RecordArchiveManifest | undefined;
  try {
    manifest = JSON.parse(
      await readFile(join(dir, manifestOf(file)), 'utf8'),
    ) as RecordArchiveManifest;
  } catch {
    manifest = undefined;
  }
  const lines = splitLines(body);
  const leaves = lines.map((line) => leafHash(line));
  // The manifest is untrusted input: anything but the expected shape counts as changed.
  const entries: readonly unknown[] | undefined = Array.isArray(manifest?.entries)
    ? (manifest.entries as readonly unknown[])
    : undefined;
  const manifestLeaves = entries?.map((e) => {
    const leaf = typeof e === 'object' && e !== null ? (e as { leaf?: unknown }).leaf : undefined;
    return Buffer.from(typeof leaf === 'string' ? leaf : '', 'hex');
  });
  const manifestIntact =
    manifestLeaves !== undefined &&
    manifestLeaves.length === recorded.count &&
    rootOfLeaves(manifestLeaves).toString('hex') === recorded.entriesRoot;
  if (createHash('sha256').update(body).digest('hex') !== recorded.sha256) {
    if (!manifestIntact)
      return fail(
        `${file} does not match the SHA-256 the log recorded, and its manifest does not match the recorded root: file and manifest changed`,
      );
    for (let i = 0; i < Math.max(lines.length, manifestLeaves.length); i++) {
      const id = manifest?.entries[i]?.id ?? '?';
      if (i >= lines.length) return fail(`${file}: line ${i + 1} (record ${id}) is missing`);
      if (i >= manifestLeaves.length) return fail(`${file}: line ${i + 1} was added`);
      if (!leaves[i]!.equals(manifestLeaves[i]!))
        return fail(`${file}: line ${i + 1} (record ${id}) was changed`);
    }
    return fail(
      `${file} does not match the SHA-256 the log recorded (bytes between lines changed)`,
    );
  }
  if (lines.length !== recorded.count)
    return fail(`${file} holds ${lines.length} records, the log recorded ${recorded.count}`);
  if (rootOfLeaves(leaves).toString('hex') !== recorded.entriesRoot)
    return fail(`${file}: its lines do not hash to the root the log recorded`);
  if (!manifestIntact)
    return fail(`${manifestOf(file)} was changed (its leaves do not match the log)`);
  for (const [i, line] of lines.entries()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.toString('utf8'));
    } catch {
      return fail(`${file}: line ${i + 1} is not JSON`);
    }
    if (canonicalJson(parsed) !== line.toString('utf8'))
      return fail(`${file}: line ${i + 1} is not in canonical form`);
  }
  return { ok: true, file, count: lines.length };
}
