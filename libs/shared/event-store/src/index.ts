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
export { GENESIS_HASH, canonicalEventBytes, chainHash } from './hash-chain';
export type { SealedFields } from './hash-chain';
export { EventSealer } from './event-sealer';
export type { EventSealerOptions } from './event-sealer';
export { verifyEventChain, EventStoreNotFound } from './verify-chain';
export type { ChainVerification } from './verify-chain';
export { assertSchemaName } from './schema-name';
export { commandMetadata } from './command-context';
export type { CommandContext } from './command-context';
export { handleCommand, loadStream } from './handle-command';
export type { CommandFor, HandleCommandOptions, HandledCommand, Loaded } from './handle-command';
