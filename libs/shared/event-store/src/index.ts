export * from './event-store.types';
export { WrongExpectedVersion, isWrongExpectedVersion } from './wrong-expected-version.error';
export {
  START_CHECKPOINT,
  compareCheckpoints,
  maxCheckpoint,
  checkpointOf,
  formatCheckpoint,
  parseCheckpoint,
} from './checkpoint';
export { migrateEventStore, EVENT_STORE_MIGRATIONS } from './event-store.migrations';
export { migrateSchema, pendingMigrations, MIGRATIONS_TABLE } from './schema-migrations';
export type { MigrationSet, AppliedMigrations } from './schema-migrations';
export { PostgresEventStore, createEventStore } from './postgres-event-store';
export type { PostgresEventStoreOptions } from './postgres-event-store';
export { UpcasterRegistry } from './upcasters';
export type { Upcaster } from './upcasters';
export { canonicalEventBytes, canonicalEventJson } from './canonical-event';
export type { SealedFields } from './canonical-event';
export { EventSealer } from './event-sealer';
export type { EventSealerOptions } from './event-sealer';
export type { CheckpointOptions, CheckpointPublisher } from './event-sealer.checkpoints';
export { verifyEventLog, EventStoreNotFound } from './verify-log';
export type { LogVerification, LogVerificationOptions, LogVerificationStats } from './verify-log';
export {
  EMPTY_TREE_HASH,
  leafHash,
  nodeHash,
  rootOfLeaves,
  verifyInclusion,
  verifyConsistency,
  inclusionProofRanges,
  consistencyProofRanges,
  perfectNodes,
  foldNodes,
  CompactRange,
} from './merkle-tree';
export type { LeafRange, TreeNode } from './merkle-tree';
export {
  readTreeHead,
  readInclusionProof,
  readConsistencyProof,
  TreeRangeError,
} from './event-tree.query';
export type { TreeHead, InclusionProof, ConsistencyProof } from './event-tree.query';
export {
  CheckpointSigner,
  loadOrCreateSigningKey,
  parseSignedCheckpoint,
  verifySignedCheckpoint,
  parseVerifierKey,
  formatVerifierKey,
  checkpointBody,
} from './signed-checkpoint';
export type { TreeCheckpoint, SignedTreeCheckpoint, VerifierKey } from './signed-checkpoint';
export { fileCheckpointPublisher, readCheckpointDirectory } from './checkpoint-directory';
export { assertSchemaName } from './schema-name';
export { SEALED_COLUMNS, toSealableEvent } from './sealed-fields.query';
export type { SealedRow, SealableEvent } from './sealed-fields.query';
export { commandMetadata } from './command-context';
export type { CommandContext } from './command-context';
export { handleCommand, loadStream } from './handle-command';
export type { CommandFor, HandleCommandOptions, HandledCommand, Loaded } from './handle-command';
export { handleCheckedOutClientErrors } from './pool-client-errors';
export { appendInTransaction, announceAppends, appendStatement } from './append-in-transaction';
export type { StreamAppend, AppendStatement } from './append-in-transaction';
