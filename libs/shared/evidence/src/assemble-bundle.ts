import { leafHash, verifySignedCheckpoint } from '@trainyard/event-store';
import type { ConsistencyFile } from './bundle.types';
import type { BundleSigningKey } from './bundle-signing';
import { signBytes } from './bundle-signing';
import { changeEventsCsv, jsonBytes, populationCsv, reconciliationCsv } from './bundle-render';
import type {
  BundleScope,
  CanonicalEvent,
  EventRecord,
  LogEvent,
  Manifest,
  ReconciliationFile,
  ServiceEventsFile,
  ServiceReconciliation,
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
import { InMemoryTree } from './merkle-proofs';
import type { ParsedEvent } from './population';
import { buildPopulation, selectScope, streamTypeOf } from './population';

/** One service's log as exported: its signed checkpoint and every leaf of the tree it signs. */
export interface ServiceLogInput {
  readonly service: string;
  /** The C2SP signed note, as the sealer published it. */
  readonly checkpointNote: string;
  /** `<name>+<key id>+<base64 key>`: the service's checkpoint verifier key. */
  readonly verifierKey: string;
  /** Leaves 0 … treeSize−1 of the checkpoint's tree, in order. */
  readonly events: readonly LogEvent[];
  /** Committed events newer than the checkpoint (reported, not exported). */
  readonly eventsAfterCheckpoint: number;
  /** Earlier signed checkpoints of this log (e.g. the last bundle's): consistency proofs are added. */
  readonly earlierCheckpoints?: readonly string[];
}

export interface AssembleOptions {
  readonly scope: BundleScope;
  /** When the bundle was made (ISO 8601); from the caller's clock. */
  readonly createdAt: string;
  readonly key: BundleSigningKey;
}

/** The selection found nothing to put in the bundle, e.g. an unknown workload. */
export class EmptyScopeError extends Error {
  override readonly name = 'EmptyScopeError';
}

export function parseCanonical(canonical: string): CanonicalEvent {
  return JSON.parse(canonical) as CanonicalEvent;
}

/**
 * Builds a signed bundle in memory. Refuses a log that does not hash to its own signed checkpoint
 * (run audit:verify) rather than export evidence that would not verify.
 */
export function assembleBundle(
  logs: readonly ServiceLogInput[],
  options: AssembleOptions,
): Map<string, Buffer> {
  const sorted = [...logs].sort((a, b) => (a.service < b.service ? -1 : 1));
  const trees = new Map<string, { tree: InMemoryTree; origin: string; treeSize: number }>();
  const all: ParsedEvent[] = [];
  for (const log of sorted) {
    const checkpoint = verifySignedCheckpoint(log.checkpointNote, log.verifierKey);
    if (log.events.length !== checkpoint.treeSize)
      throw new Error(
        `${log.service}: ${log.events.length} events read for a checkpoint of ${checkpoint.treeSize}`,
      );
    const leaves = log.events.map((e, i) => {
      if (e.leafIndex !== i) throw new Error(`${log.service}: leaf ${i} read out of order`);
      return leafHash(Buffer.from(e.canonical, 'utf8'));
    });
    const tree = new InMemoryTree(leaves);
    if (!tree.root().equals(checkpoint.rootHash))
      throw new Error(
        `${log.service}: the events read do not hash to the root of its signed checkpoint (size ${checkpoint.treeSize}); run npm run audit:verify -- --service ${log.service}`,
      );
    trees.set(log.service, { tree, origin: checkpoint.origin, treeSize: checkpoint.treeSize });
    for (const e of log.events)
      all.push({
        service: log.service,
        leafIndex: e.leafIndex,
        event: parseCanonical(e.canonical),
      });
  }

  const scope = options.scope;
  const selection = selectScope(all, scope);
  const inScope = all.filter((e) => selection.selected.get(e.service)?.has(e.leafIndex));
  // An unknown workload or release is a mistake; a quiet period is evidence (no changes, counted).
  if ((scope.kind === 'workload' || scope.kind === 'release') && inScope.length === 0)
    throw new EmptyScopeError(`no event in any service's log is in scope ${JSON.stringify(scope)}`);
  const population = buildPopulation(inScope, scope, selection.changeIds);

  const files = new Map<string, Buffer>();
  const services: ServiceReconciliation[] = [];
  for (const log of sorted) {
    const { tree, origin, treeSize } = trees.get(log.service)!;
    const mine = all.filter((e) => e.service === log.service);
    const streams: Record<string, EventRecord[]> = {};
    const counts = new Map<string, { inLog: number; inScope: number }>();
    for (const e of mine) {
      const type = streamTypeOf(e.event.streamId);
      const count = counts.get(type) ?? { inLog: 0, inScope: 0 };
      counts.set(type, count);
      count.inLog++;
      if (!selection.selected.get(log.service)?.has(e.leafIndex)) continue;
      count.inScope++;
      (streams[e.event.streamId] ??= []).push({
        leafIndex: e.leafIndex,
        leafHash: tree.leaves[e.leafIndex]!.toString('hex'),
        canonical: log.events[e.leafIndex]!.canonical,
        auditPath: tree.inclusionProof(e.leafIndex).map((h) => h.toString('hex')),
      });
    }
    const eventsFile: ServiceEventsFile = { service: log.service, origin, treeSize, streams };
    files.set(serviceFile(log.service, 'events.json'), jsonBytes(eventsFile));
    files.set(serviceFile(log.service, 'checkpoint.note'), Buffer.from(log.checkpointNote, 'utf8'));
    if ((log.earlierCheckpoints ?? []).length > 0) {
      const consistency: ConsistencyFile = {
        service: log.service,
        toSize: treeSize,
        proofs: (log.earlierCheckpoints ?? []).map((note) => {
          const earlier = verifySignedCheckpoint(note, log.verifierKey);
          if (earlier.origin !== origin || earlier.treeSize > treeSize)
            throw new Error(
              `${log.service}: the earlier checkpoint (${earlier.origin} size ${earlier.treeSize}) is not an earlier state of ${origin} size ${treeSize}`,
            );
          if (!tree.rootAt(earlier.treeSize).equals(earlier.rootHash))
            throw new Error(
              `${log.service}: the log does not extend its earlier checkpoint of size ${earlier.treeSize}; run npm run audit:verify -- --service ${log.service}`,
            );
          return {
            fromNote: note,
            fromSize: earlier.treeSize,
            proof: tree.consistencyProof(earlier.treeSize).map((h) => h.toString('hex')),
          };
        }),
      };
      files.set(serviceFile(log.service, 'consistency.json'), jsonBytes(consistency));
    }
    files.set(
      serviceFile(log.service, 'verifier-key.txt'),
      Buffer.from(`${log.verifierKey.trim()}\n`, 'utf8'),
    );
    services.push({
      service: log.service,
      origin,
      treeSize,
      eventsAfterCheckpoint: log.eventsAfterCheckpoint,
      streamTypes: [...counts.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([streamType, c]) => ({ streamType, ...c, exported: c.inScope })),
    });
  }
  const reconciliation: ReconciliationFile = { scope, complete: scope.kind === 'all', services };
  files.set(POPULATION_JSON, jsonBytes(population));
  files.set(POPULATION_CSV, Buffer.from(populationCsv(population), 'utf8'));
  files.set(CHANGE_EVENTS_CSV, Buffer.from(changeEventsCsv(population), 'utf8'));
  files.set(RECONCILIATION_JSON, jsonBytes(reconciliation));
  files.set(RECONCILIATION_CSV, Buffer.from(reconciliationCsv(reconciliation), 'utf8'));
  return signBundle(files, scope, options.createdAt, options.key);
}

/** Adds manifest.json (every file's SHA-256), manifest.sig and bundle-key.pem. */
export function signBundle(
  content: ReadonlyMap<string, Buffer>,
  scope: BundleScope,
  createdAt: string,
  key: BundleSigningKey,
): Map<string, Buffer> {
  const files = new Map(
    [...content].filter(([path]) => ![MANIFEST_FILE, SIGNATURE_FILE, KEY_FILE].includes(path)),
  );
  const manifest: Manifest = {
    format: 'trainyard-evidence-bundle',
    version: 1,
    createdAt,
    scope,
    keyFingerprint: key.fingerprint,
    files: [...files.keys()].sort().map((path) => ({
      path,
      sha256: sha256Hex(files.get(path)!),
      bytes: files.get(path)!.length,
    })),
  };
  const manifestBytes = jsonBytes(manifest);
  files.set(MANIFEST_FILE, manifestBytes);
  files.set(SIGNATURE_FILE, signBytes(manifestBytes, key));
  files.set(KEY_FILE, Buffer.from(key.publicKeyPem, 'utf8'));
  return files;
}
