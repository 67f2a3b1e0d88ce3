/**
 * The evidence bundle's data model (docs/evidence-bundle.md). Every file is JSON, CSV or text;
 * hashes are lower-case hex except inside C2SP notes (base64, as the notes are published).
 */

/** What the bundle covers. `all`: every event of every service's log up to its checkpoint. */
export type BundleScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'workload'; readonly workloadId: string }
  | { readonly kind: 'release'; readonly releaseId: string }
  /** Events recorded in [from, to) (ISO 8601 instants), and the whole trail of every change they touch. */
  | { readonly kind: 'period'; readonly from: string; readonly to: string };

/** One event of a service's log as read for export: its leaf index and canonical bytes (ADR 0010). */
export interface LogEvent {
  readonly leafIndex: number;
  /** canonicalEventBytes(event) as UTF-8 text (RFC 8785 JSON). */
  readonly canonical: string;
}

/** The fields of a canonical event the bundle reads (layout `v: 1`). */
export interface CanonicalEvent {
  readonly v: number;
  readonly position: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recordedAt: string;
}

/** A cited event: the event, where it sits in its service's log, and its proof. */
export interface EventRecord {
  readonly leafIndex: number;
  readonly leafHash: string;
  readonly canonical: string;
  /** RFC 6962 §2.1.1 audit path against the service checkpoint's tree, leaf side first (hex). */
  readonly auditPath: readonly string[];
}

/** `services/<service>/events.json` */
export interface ServiceEventsFile {
  readonly service: string;
  readonly origin: string;
  /** The tree size of `checkpoint.note`: every proof is against it. */
  readonly treeSize: number;
  /** Cited events grouped by stream, each stream's events in log order. */
  readonly streams: Readonly<Record<string, readonly EventRecord[]>>;
}

/** `services/<service>/consistency.json`: the log in this bundle extends earlier checkpoints. */
export interface ConsistencyFile {
  readonly service: string;
  /** The tree size of `checkpoint.note`. */
  readonly toSize: number;
  readonly proofs: readonly {
    /** An earlier signed checkpoint of the same log, as published. */
    readonly fromNote: string;
    readonly fromSize: number;
    /** RFC 6962 §2.1.2 PROOF(fromSize, D[0:toSize]), hex. */
    readonly proof: readonly string[];
  }[];
}

/** A reference from a change to one of its events. */
export interface EventRef {
  readonly service: string;
  readonly leafIndex: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly recordedAt: string;
  readonly actor: string | null;
}

export const TRAIL_STAGES = [
  'request',
  'approvals',
  'policyResults',
  'deployments',
  'other',
] as const;
export type TrailStage = (typeof TRAIL_STAGES)[number];

/** One change: a workload and every event, in any service, that is about it. */
export interface Change {
  readonly changeId: string;
  readonly title: string | null;
  readonly team: string | null;
  readonly releaseIds: readonly string[];
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly eventCount: number;
  /** request → approvals → policy results → deployment records, each in log order per service. */
  readonly trail: Readonly<Record<TrailStage, readonly EventRef[]>>;
  /** Every approval recorded before the first deployment record; null while there is none. */
  readonly approvedBeforeDeployment: boolean | null;
}

/** `population/changes.json` */
export interface PopulationFile {
  readonly scope: BundleScope;
  readonly changeCount: number;
  readonly changes: readonly Change[];
}

export interface StreamTypeCount {
  readonly streamType: string;
  /** Events of this stream type in the service's log up to the checkpoint. */
  readonly inLog: number;
  /** Of those, the events the scope selects. */
  readonly inScope: number;
  /** Events of this stream type in `services/<service>/events.json`. */
  readonly exported: number;
}

export interface ServiceReconciliation {
  readonly service: string;
  readonly origin: string;
  /** The signed checkpoint's tree size: the sum of `inLog`. */
  readonly treeSize: number;
  /** Committed events newer than the checkpoint, not covered by this bundle. */
  readonly eventsAfterCheckpoint: number;
  readonly streamTypes: readonly StreamTypeCount[];
}

/** `reconciliation.json` */
export interface ReconciliationFile {
  readonly scope: BundleScope;
  /** True for the whole history: every leaf of every log is in the bundle, roots recomputable. */
  readonly complete: boolean;
  readonly services: readonly ServiceReconciliation[];
}

export interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** `manifest.json`, signed by `manifest.sig` (raw 64-byte Ed25519 over the file's bytes). */
export interface Manifest {
  readonly format: 'trainyard-evidence-bundle';
  readonly version: 1;
  readonly createdAt: string;
  readonly scope: BundleScope;
  /** SHA-256 (hex) of the raw 32-byte Ed25519 public key in `bundle-key.pem`. */
  readonly keyFingerprint: string;
  readonly files: readonly ManifestEntry[];
}

/** A bundle in memory: relative path → bytes. */
export type BundleFiles = ReadonlyMap<string, Buffer>;

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const KEY_FILE = 'bundle-key.pem';
export const POPULATION_JSON = 'population/changes.json';
export const POPULATION_CSV = 'population/changes.csv';
export const CHANGE_EVENTS_CSV = 'population/change-events.csv';
export const RECONCILIATION_JSON = 'reconciliation.json';
export const RECONCILIATION_CSV = 'reconciliation.csv';
export const serviceFile = (
  service: string,
  name: 'events.json' | 'checkpoint.note' | 'verifier-key.txt' | 'consistency.json',
): string => `services/${service}/${name}`;
