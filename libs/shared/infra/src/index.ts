export { repoRoot, localDir } from './repo-root';
export { freePort, freePortPair } from './free-ports';
export {
  ensureKafkaArtifacts,
  groupCoordinatorAnswers,
  kafkaIsUp,
  startLocalKafka,
  stopLocalKafka,
} from './kafka-local';
export type { KafkaUpResult, LocalKafkaOptions } from './kafka-local';
export { DEFAULT_DATABASE_URL, ensureDatabase, redact } from './postgres-local';
export { ensureDevKeys, readDevPrivateKey } from './dev-keys';
export type { DevKeys } from './dev-keys';
export { signDevToken } from './dev-token';
export type { DevTokenOptions } from './dev-token';
export { chooseInfra, InfraSelectionError, INFRA_MODES } from './infra-selection';
export type {
  ContainerRuntimeProbe,
  ContainerRuntimeStatus,
  InfraChoice,
  InfraMode,
} from './infra-selection';
export {
  KEPT_CONTAINER_LABEL,
  POSTGRES_IMAGE,
  kafkaImage,
  kafkaVersion,
  probeContainerRuntime,
  startInfraContainers,
  stopKeptInfraContainers,
} from './infra-containers';
export type { InfraContainersOptions, StartedInfraContainers } from './infra-containers';
export { bringUpInfra } from './infra-up';
export type { BringUpInfraOptions, InfraUp } from './infra-up';
export { buildPlatform } from './platform-build';
