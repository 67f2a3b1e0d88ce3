// Evidence bundles an auditor verifies offline (docs/evidence-bundle.md): export from the
// services' logs, an Ed25519-signed manifest, offline verification with pure functions.
export * from './bundle.types';
export { sha256Hex } from './digest';
export { toCsv, csvLine } from './csv';
export type { CsvCell } from './csv';
export {
  bundleSigningKey,
  generateBundleSigningKey,
  loadBundleSigningKey,
  keyFingerprint,
  parseBundlePublicKey,
  signBytes,
  verifyBytes,
} from './bundle-signing';
export type { BundleSigningKey } from './bundle-signing';
export { InMemoryTree } from './merkle-proofs';
export {
  buildPopulation,
  selectScope,
  stageOf,
  streamTypeOf,
  workloadIdsOf,
  inPeriod,
} from './population';
export type { ParsedEvent, ScopeSelection } from './population';
export { changeEventsCsv, jsonBytes, populationCsv, reconciliationCsv } from './bundle-render';
export { assembleBundle, signBundle, parseCanonical, EmptyScopeError } from './assemble-bundle';
export type { AssembleOptions, ServiceLogInput } from './assemble-bundle';
export { verifyBundle } from './verify-bundle';
export type {
  BundleCheck,
  BundleSummary,
  BundleVerification,
  VerifyBundleOptions,
} from './verify-bundle';
export { readTar, writeTar } from './tar-archive';
export { readBundle, writeBundleArchive, writeBundleDirectory } from './bundle-io';
export { hasEventStore, readServiceLog, NoCheckpointError } from './read-service-log';
export type { ServiceLogSource } from './read-service-log';
export { exportEvidence } from './export-evidence';
