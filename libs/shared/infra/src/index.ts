export { repoRoot, localDir } from './repo-root';
export { ensureKafkaArtifacts, kafkaIsUp, startLocalKafka, stopLocalKafka } from './kafka-local';
export type { KafkaUpResult, LocalKafkaOptions } from './kafka-local';
export { DEFAULT_DATABASE_URL, ensureDatabase, redact } from './postgres-local';
export { ensureDevKeys, readDevPrivateKey } from './dev-keys';
export type { DevKeys } from './dev-keys';
export { signDevToken } from './dev-token';
export type { DevTokenOptions } from './dev-token';
