import { canonicalize } from 'json-canonicalize';
import {
  leafHash,
  parseSignedCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  verifySignedCheckpoint,
} from '@trainyard/event-store';
import type { SignedTreeCheckpoint } from '@trainyard/event-store';
import { parseCanonical } from './assemble-bundle';
import { rootOfPrefix } from './merkle-proofs';
import { keyFingerprint, parseBundlePublicKey, verifyBytes } from './bundle-signing';
import { changeEventsCsv, populationCsv, reconciliationCsv } from './bundle-render';
import type {
  BundleFiles,
  BundleScope,
  Change,
  ConsistencyFile,
  Manifest,
  PopulationFile,
  ReconciliationFile,
  ServiceEventsFile,
} from './bundle.types';
import {
  CHANGE_EVENTS_CSV,
  KEY_FILE,
  MANIFEST_FILE,
  POPULATION_CSV,
  POPULATION_JSON,
  RECONCILIATION_CSV,
  RECONCILIATION_JSON,
  SIGNATURE_FILE,
  serviceFile,
} from './bundle.types';
import { sha256Hex } from './digest';
import type { ParsedEvent } from './population';
import { buildPopulation, selectScope, streamTypeOf } from './population';

/** The kinds of check, in the order they run. */
export type BundleCheck =
  | 'layout'
  | 'bundle-key'
  | 'manifest-signature'
  | 'missing-file'
  | 'file-digest'
  | 'unlisted-file'
  | 'checkpoint'
  | 'event'
  | 'inclusion-proof'
  | 'consistency'
  | 'population'
  | 'reconciliation';

export interface BundleSummary {
  readonly scope: BundleScope;
  readonly createdAt: string;
  readonly keyFingerprint: string;
  readonly files: number;
  readonly changes: number;
  readonly complete: boolean;
  readonly services: readonly {
    readonly service: string;
    readonly origin: string;
    readonly treeSize: number;
    readonly events: number;
  }[];
}

export type BundleVerification =
  | { readonly ok: true; readonly summary: BundleSummary }
  | {
      readonly ok: false;
      readonly check: BundleCheck;
      /** The bundle file the failure is in, when there is one. */
      readonly file?: string;
      /** One sentence (or two) naming what failed. */
      readonly message: string;
    };

export interface VerifyBundleOptions {
  /** The bundle key's fingerprint as the operator gave it to the auditor (SHA-256 hex). */
  readonly expectedFingerprint?: string;
  /**
   * Service verifier keys obtained independently (`<name>+<id>+<key>`): a service whose key name
   * matches one of them must carry exactly that key.
   */
  readonly trustedVerifierKeys?: readonly string[];
  /**
   * Signed checkpoints the auditor kept (e.g. from the last bundle): each must be of a log in the
   * bundle, and the bundle's log must provably extend it.
   */
  readonly trustedCheckpoints?: readonly string[];
}

class BundleFailure extends Error {
  constructor(
    readonly check: BundleCheck,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

const fail = (check: BundleCheck, message: string, file?: string): never => {
  throw new BundleFailure(check, message, file);
};

/**
 * Verifies a bundle offline, with pure functions only, and names the first thing that fails:
 * the manifest's signature, every file's digest and that no file is unlisted, then (independent
 * of the manifest, so a bundle re-signed with another key is still caught) each checkpoint's
 * signature, each event's leaf hash and inclusion proof, the population recomputed from the
 * proven events, and the reconciliation counts.
 */
export function verifyBundle(
  files: BundleFiles,
  options: VerifyBundleOptions = {},
): BundleVerification {
  try {
    const manifest = verifyManifest(files, options);
    const summary = verifyContent(files, manifest, options);
    return { ok: true, summary };
  } catch (error) {
    if (error instanceof BundleFailure)
      return {
        ok: false,
        check: error.check,
        message: error.message,
        ...(error.file === undefined ? {} : { file: error.file }),
      };
    // A file of the right digest but the wrong shape (only a re-signed bundle can have one).
    return {
      ok: false,
      check: 'layout',
      message: `the bundle's content is malformed: ${messageOf(error)}`,
    };
  }
}

function verifyManifest(files: BundleFiles, options: VerifyBundleOptions): Manifest {
  const manifestBytes = files.get(MANIFEST_FILE);
  const signature = files.get(SIGNATURE_FILE);
  const keyPem = files.get(KEY_FILE);
  for (const [name, bytes] of [
    [MANIFEST_FILE, manifestBytes],
    [SIGNATURE_FILE, signature],
    [KEY_FILE, keyPem],
  ] as const) {
    if (!bytes) fail('layout', `${name} is missing: this is not an evidence bundle.`, name);
  }
  const manifest = parseJson<Manifest>(manifestBytes!, MANIFEST_FILE, 'layout');
  if (manifest.format !== 'trainyard-evidence-bundle' || manifest.version !== 1)
    fail(
      'layout',
      'manifest.json is not a version 1 trainyard evidence bundle manifest.',
      MANIFEST_FILE,
    );
  let fingerprint = '';
  let publicKey: ReturnType<typeof parseBundlePublicKey> | undefined;
  try {
    publicKey = parseBundlePublicKey(keyPem!);
    fingerprint = keyFingerprint(publicKey);
    // Byte for byte the key's own PEM: nothing rides along in the one file the manifest cannot list.
    if (publicKey.export({ format: 'pem', type: 'spki' }).toString() !== keyPem!.toString('utf8'))
      throw new Error('the file holds more than the key');
  } catch (error) {
    fail(
      'bundle-key',
      `bundle-key.pem is not an Ed25519 public key: ${messageOf(error)}`,
      KEY_FILE,
    );
  }
  if (fingerprint !== manifest.keyFingerprint)
    fail(
      'bundle-key',
      `bundle-key.pem has fingerprint ${fingerprint}, the manifest names ${String(manifest.keyFingerprint)}.`,
      KEY_FILE,
    );
  if (
    options.expectedFingerprint !== undefined &&
    options.expectedFingerprint.toLowerCase() !== fingerprint
  )
    fail(
      'bundle-key',
      `the bundle is signed by key ${fingerprint}, not by the expected ${options.expectedFingerprint}: it was re-signed by someone else.`,
      KEY_FILE,
    );
  if (!verifyBytes(manifestBytes!, signature!, publicKey!))
    fail(
      'manifest-signature',
      'manifest.sig is not a valid Ed25519 signature of manifest.json by bundle-key.pem.',
      SIGNATURE_FILE,
    );

  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const bytes = files.get(entry.path);
    if (!bytes)
      fail(
        'missing-file',
        `${entry.path} is listed in the manifest but missing from the bundle.`,
        entry.path,
      );
    const digest = sha256Hex(bytes!);
    if (digest !== entry.sha256) {
      fail(
        'file-digest',
        `${entry.path} was changed: its SHA-256 is ${digest}, the manifest says ${entry.sha256}.${diagnose(files, manifest, options)}`,
        entry.path,
      );
    }
  }
  for (const path of [...files.keys()].sort()) {
    if (path === MANIFEST_FILE || path === SIGNATURE_FILE || path === KEY_FILE) continue;
    if (!listed.has(path))
      fail(
        'unlisted-file',
        `${path} is in the bundle but not in the manifest (added after signing).`,
        path,
      );
  }
  return manifest;
}

/** For a changed file: what the content checks say about it, as a second sentence. */
function diagnose(files: BundleFiles, manifest: Manifest, options: VerifyBundleOptions): string {
  try {
    verifyContent(files, manifest, options);
    return '';
  } catch (error) {
    return error instanceof BundleFailure ? ` ${error.message}` : '';
  }
}

interface ProvenService {
  readonly service: string;
  readonly checkpoint: SignedTreeCheckpoint;
  readonly events: ParsedEvent[];
  readonly leaves: Map<number, Buffer>;
  readonly key: ReturnType<typeof parseVerifierKey>;
  /** Checkpoint bodies (origin, size, root) the bundle proves its log extends. */
  readonly extends: ReadonlySet<string>;
}

function verifyContent(
  files: BundleFiles,
  manifest: Manifest,
  options: VerifyBundleOptions,
): BundleSummary {
  const serviceNames = [
    ...new Set(
      [...files.keys()]
        .map((path) => /^services\/([^/]+)\//.exec(path)?.[1])
        .filter((s) => s !== undefined),
    ),
  ].sort();
  const trusted = (options.trustedVerifierKeys ?? []).map((k) => parseVerifierKey(k));
  const proven = serviceNames.map((service) => verifyService(files, service, trusted));
  const events = proven.flatMap((s) => s.events);

  // Population: every cited event is present, and every row is what the proven events show.
  const population = parseJson<PopulationFile>(
    requireFile(files, POPULATION_JSON),
    POPULATION_JSON,
    'population',
  );
  if (canonicalize(population.scope) !== canonicalize(manifest.scope))
    fail(
      'population',
      'population/changes.json names another scope than the manifest.',
      POPULATION_JSON,
    );
  const present = new Set(events.map((e) => `${e.service}#${e.leafIndex}`));
  for (const change of population.changes) {
    for (const ref of Object.values(change.trail).flat()) {
      if (!present.has(`${ref.service}#${ref.leafIndex}`))
        fail(
          'population',
          `change ${change.changeId} cites ${ref.service} leaf ${ref.leafIndex} (${ref.type}), which is not in ${serviceFile(ref.service, 'events.json')}.`,
          POPULATION_JSON,
        );
    }
  }
  const selection = selectScope(events, manifest.scope);
  for (const e of events) {
    if (!selection.selected.get(e.service)?.has(e.leafIndex))
      fail(
        'population',
        `${e.service} leaf ${e.leafIndex} (${e.event.type}) is in the bundle but not in its scope.`,
        serviceFile(e.service, 'events.json'),
      );
  }
  const expected = buildPopulation(events, manifest.scope, selection.changeIds);
  comparePopulation(population, expected);
  compareText(files, POPULATION_CSV, populationCsv(expected), 'population');
  compareText(files, CHANGE_EVENTS_CSV, changeEventsCsv(expected), 'population');

  // Reconciliation: the counts are those of the bundle, and add up to each signed log size.
  const reconciliation = parseJson<ReconciliationFile>(
    requireFile(files, RECONCILIATION_JSON),
    RECONCILIATION_JSON,
    'reconciliation',
  );
  verifyReconciliation(reconciliation, manifest.scope, proven);
  compareText(files, RECONCILIATION_CSV, reconciliationCsv(reconciliation), 'reconciliation');
  verifyTrustedCheckpoints(options.trustedCheckpoints ?? [], proven, reconciliation.complete);

  return {
    scope: manifest.scope,
    createdAt: manifest.createdAt,
    keyFingerprint: manifest.keyFingerprint,
    files: manifest.files.length,
    changes: population.changes.length,
    complete: reconciliation.complete,
    services: proven.map((s) => ({
      service: s.service,
      origin: s.checkpoint.origin,
      treeSize: s.checkpoint.treeSize,
      events: s.events.length,
    })),
  };
}

function verifyService(
  files: BundleFiles,
  service: string,
  trusted: readonly ReturnType<typeof parseVerifierKey>[],
): ProvenService {
  const keyPath = serviceFile(service, 'verifier-key.txt');
  const notePath = serviceFile(service, 'checkpoint.note');
  const eventsPath = serviceFile(service, 'events.json');
  const keyText = requireFile(files, keyPath).toString('utf8').trim();
  let key: ReturnType<typeof parseVerifierKey>;
  try {
    key = parseVerifierKey(keyText);
  } catch (error) {
    return fail(
      'checkpoint',
      `${keyPath} is not a note verifier key: ${messageOf(error)}`,
      keyPath,
    );
  }
  const pinned = trusted.find((t) => t.keyName === key.keyName);
  if (pinned && !pinned.publicKey.equals(key.publicKey))
    fail('checkpoint', `${keyPath} is not the trusted key of ${key.keyName}.`, keyPath);
  let checkpoint: SignedTreeCheckpoint;
  try {
    checkpoint = verifySignedCheckpoint(requireFile(files, notePath).toString('utf8'), key);
  } catch (error) {
    return fail('checkpoint', `${notePath} does not verify: ${messageOf(error)}.`, notePath);
  }
  const file = parseJson<ServiceEventsFile>(requireFile(files, eventsPath), eventsPath, 'event');
  if (file.origin !== checkpoint.origin || file.treeSize !== checkpoint.treeSize)
    fail(
      'checkpoint',
      `${eventsPath} is proven against ${file.origin} size ${file.treeSize}, but ${notePath} is ${checkpoint.origin} size ${checkpoint.treeSize} (checkpoint swapped?).`,
      notePath,
    );
  const events: ParsedEvent[] = [];
  const leaves = new Map<number, Buffer>();
  for (const [streamId, records] of Object.entries(file.streams)) {
    for (const record of records) {
      const at = `${service} leaf ${record.leafIndex}`;
      if (
        !Number.isSafeInteger(record.leafIndex) ||
        record.leafIndex < 0 ||
        leaves.has(record.leafIndex)
      )
        fail('event', `${at} in ${eventsPath} is not a leaf index or appears twice.`, eventsPath);
      let parsed: ReturnType<typeof parseCanonical>;
      try {
        parsed = parseCanonical(record.canonical);
      } catch {
        return fail('event', `${at}: its canonical form is not JSON.`, eventsPath);
      }
      if (canonicalize(parsed) !== record.canonical)
        fail('event', `${at}: its event is not in canonical (RFC 8785) form.`, eventsPath);
      if (parsed.streamId !== streamId)
        fail(
          'event',
          `${at} is listed under stream ${streamId} but belongs to ${parsed.streamId}.`,
          eventsPath,
        );
      const leaf = leafHash(Buffer.from(record.canonical, 'utf8'));
      if (leaf.toString('hex') !== record.leafHash)
        fail(
          'event',
          `${at} (${parsed.type} in ${streamId}): the event does not hash to its leaf hash (the event was changed).`,
          eventsPath,
        );
      const path = record.auditPath.map((h) => Buffer.from(h, 'hex'));
      if (!verifyInclusion(leaf, record.leafIndex, checkpoint.treeSize, path, checkpoint.rootHash))
        fail(
          'inclusion-proof',
          `${at} (${parsed.type} in ${streamId}): its inclusion proof does not match the signed checkpoint of size ${checkpoint.treeSize}.`,
          eventsPath,
        );
      leaves.set(record.leafIndex, leaf);
      events.push({ service, leafIndex: record.leafIndex, event: parsed });
    }
  }
  const extendsBodies = new Set<string>([checkpointBodyOf(checkpoint.note)]);
  const consistencyPath = serviceFile(service, 'consistency.json');
  const consistencyBytes = files.get(consistencyPath);
  if (consistencyBytes) {
    const consistency = parseJson<ConsistencyFile>(
      consistencyBytes,
      consistencyPath,
      'consistency',
    );
    if (consistency.toSize !== checkpoint.treeSize)
      fail(
        'consistency',
        `${consistencyPath} proves size ${consistency.toSize}, the checkpoint is ${checkpoint.treeSize}.`,
        consistencyPath,
      );
    for (const entry of consistency.proofs) {
      let earlier: SignedTreeCheckpoint;
      try {
        earlier = verifySignedCheckpoint(entry.fromNote, key);
      } catch (error) {
        return fail(
          'consistency',
          `${consistencyPath}: an earlier checkpoint does not verify: ${messageOf(error)}.`,
          consistencyPath,
        );
      }
      const proof = entry.proof.map((h) => Buffer.from(h, 'hex'));
      if (
        earlier.origin !== checkpoint.origin ||
        earlier.treeSize !== entry.fromSize ||
        !verifyConsistency(
          earlier.treeSize,
          checkpoint.treeSize,
          earlier.rootHash,
          checkpoint.rootHash,
          proof,
        )
      )
        fail(
          'consistency',
          `${consistencyPath}: the log of size ${checkpoint.treeSize} is not proven to extend the earlier checkpoint of size ${earlier.treeSize} (the log was rewritten, or the proof changed).`,
          consistencyPath,
        );
      extendsBodies.add(checkpointBodyOf(entry.fromNote));
    }
  }
  return { service, checkpoint, events, leaves, key, extends: extendsBodies };
}

/** The signed part of a note: origin, size and root. */
function checkpointBodyOf(note: string): string {
  return note.slice(0, note.indexOf('\n\n') + 1);
}

/** Each checkpoint the auditor kept is of a log in the bundle, and that log extends it. */
function verifyTrustedCheckpoints(
  notes: readonly string[],
  proven: readonly ProvenService[],
  complete: boolean,
): void {
  for (const note of notes) {
    let kept: SignedTreeCheckpoint;
    try {
      kept = parseSignedCheckpoint(note);
    } catch (error) {
      return fail(
        'consistency',
        `a checkpoint you hold is not a signed note: ${messageOf(error)}.`,
      );
    }
    const service = proven.find((p) => p.checkpoint.origin === kept.origin);
    if (!service)
      return fail(
        'consistency',
        `the checkpoint you hold for ${kept.origin} is of no log in this bundle.`,
      );
    const at = `${service.service} (${kept.origin})`;
    try {
      verifySignedCheckpoint(note, service.key);
    } catch (error) {
      fail(
        'consistency',
        `${at}: the checkpoint you hold does not verify with the service's key in the bundle: ${messageOf(error)}.`,
      );
    }
    const body = checkpointBodyOf(note);
    if (service.extends.has(body)) continue;
    if (kept.treeSize > service.checkpoint.treeSize)
      fail(
        'consistency',
        `${at}: the bundle's log holds ${service.checkpoint.treeSize} events, the checkpoint you hold ${kept.treeSize}: events were removed, or the bundle is older than your checkpoint.`,
      );
    if (complete && kept.treeSize <= service.checkpoint.treeSize) {
      const prefix = rootOfPrefix((i) => service.leaves.get(i), kept.treeSize);
      if ('root' in prefix && prefix.root.equals(kept.rootHash)) continue;
      fail(
        'consistency',
        `${at}: the bundle's first ${kept.treeSize} events do not hash to the root of the checkpoint you hold: the log was rewritten.`,
      );
    }
    fail(
      'consistency',
      `${at}: the bundle carries no consistency proof from the checkpoint of size ${kept.treeSize} you hold; ask for one exported with --consistency-from that checkpoint.`,
    );
  }
}

function comparePopulation(actual: PopulationFile, expected: PopulationFile): void {
  const rows = new Map(actual.changes.map((c) => [c.changeId, c]));
  for (const change of expected.changes) {
    const row = rows.get(change.changeId);
    if (!row)
      fail(
        'population',
        `change ${change.changeId} is missing from population/changes.json, though its events are in the bundle.`,
        POPULATION_JSON,
      );
    const field = firstDifference(row!, change);
    if (field !== undefined)
      fail(
        'population',
        `the row of change ${change.changeId} in population/changes.json does not match its proven events (${field}).`,
        POPULATION_JSON,
      );
    rows.delete(change.changeId);
  }
  for (const id of rows.keys())
    fail(
      'population',
      `change ${id} in population/changes.json has no proven events in scope.`,
      POPULATION_JSON,
    );
  if (canonicalize(actual) !== canonicalize(expected))
    fail(
      'population',
      'population/changes.json differs from the population its events show (order or count).',
      POPULATION_JSON,
    );
}

function firstDifference(actual: Change, expected: Change): string | undefined {
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const key of keys) {
    const a = (actual as unknown as Record<string, unknown>)[key];
    const b = (expected as unknown as Record<string, unknown>)[key];
    if (canonicalize(a ?? null) !== canonicalize(b ?? null)) return `field ${key}`;
  }
  return undefined;
}

function compareText(files: BundleFiles, path: string, expected: string, check: BundleCheck): void {
  const actual = requireFile(files, path).toString('utf8');
  if (actual === expected) return;
  const a = actual.split('\r\n');
  const b = expected.split('\r\n');
  let line = 0;
  while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
  const first = (b[line] ?? a[line] ?? '').split(',')[0];
  fail(
    check,
    `${path} line ${line + 1} (${first || 'end of file'}) does not match the bundle's proven events.`,
    path,
  );
}

function verifyReconciliation(
  reconciliation: ReconciliationFile,
  scope: BundleScope,
  proven: readonly ProvenService[],
): void {
  const at = RECONCILIATION_JSON;
  if (canonicalize(reconciliation.scope) !== canonicalize(scope))
    fail('reconciliation', 'reconciliation.json names another scope than the manifest.', at);
  if (reconciliation.complete !== (scope.kind === 'all'))
    fail('reconciliation', 'reconciliation.json claims the wrong completeness for its scope.', at);
  const names = reconciliation.services.map((s) => s.service);
  const missing = proven.find((p) => !names.includes(p.service));
  if (missing)
    fail('reconciliation', `reconciliation.json leaves out service ${missing.service}.`, at);
  for (const row of reconciliation.services) {
    const service = proven.find((p) => p.service === row.service);
    if (!service)
      return fail(
        'reconciliation',
        `reconciliation.json counts service ${row.service}, whose log is not in the bundle.`,
        at,
      );
    if (row.origin !== service.checkpoint.origin || row.treeSize !== service.checkpoint.treeSize)
      fail(
        'reconciliation',
        `reconciliation.json gives ${row.service} another log (origin or size) than its checkpoint.`,
        at,
      );
    const exported = new Map<string, number>();
    for (const e of service.events) {
      const type = streamTypeOf(e.event.streamId);
      exported.set(type, (exported.get(type) ?? 0) + 1);
    }
    let inLog = 0;
    for (const t of row.streamTypes) {
      const count = exported.get(t.streamType) ?? 0;
      const where = `${row.service} ${t.streamType} streams`;
      if (t.exported !== count)
        fail(
          'reconciliation',
          `${where}: reconciliation.json says ${t.exported} events exported, the bundle holds ${count}.`,
          at,
        );
      if (t.inScope !== t.exported)
        fail(
          'reconciliation',
          `${where}: ${t.inScope} events in scope in the log, ${t.exported} exported: events were left out.`,
          at,
        );
      if (t.inLog < t.inScope)
        fail(
          'reconciliation',
          `${where}: more events in scope (${t.inScope}) than in the log (${t.inLog}).`,
          at,
        );
      if (reconciliation.complete && t.inLog !== t.inScope)
        fail(
          'reconciliation',
          `${where}: ${t.inLog} events in the log, ${t.inScope} exported, in a whole-history bundle.`,
          at,
        );
      exported.delete(t.streamType);
      inLog += t.inLog;
    }
    const uncounted = [...exported.keys()][0];
    if (uncounted !== undefined)
      fail(
        'reconciliation',
        `${row.service} ${uncounted} streams are exported but not counted in reconciliation.json.`,
        at,
      );
    if (inLog !== service.checkpoint.treeSize)
      fail(
        'reconciliation',
        `${row.service}: the counts add up to ${inLog} events, the signed log holds ${service.checkpoint.treeSize}.`,
        at,
      );
    if (reconciliation.complete) {
      const whole = rootOfPrefix((i) => service.leaves.get(i), service.checkpoint.treeSize);
      if ('missingLeaf' in whole)
        return fail(
          'reconciliation',
          `${row.service} leaf ${whole.missingLeaf} is missing from a whole-history bundle.`,
          at,
        );
      if (!whole.root.equals(service.checkpoint.rootHash))
        fail(
          'reconciliation',
          `${row.service}: the exported events do not hash to the signed root.`,
          at,
        );
    }
  }
}

function requireFile(files: BundleFiles, path: string): Buffer {
  const bytes = files.get(path);
  if (!bytes) return fail('layout', `${path} is missing from the bundle.`, path);
  return bytes;
}

function parseJson<T>(bytes: Buffer, path: string, check: BundleCheck): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    return fail(check, `${path} is not valid JSON.`, path);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
