export type {
  BatchControl,
  BatchHandler,
  ConsumedBatch,
  ConsumedMessage,
  ConsumerOptions,
  MessageAdmin,
  MessageBus,
  MessageConsumer,
  MessageHandler,
  MessageProducer,
  OutgoingMessage,
  TopicSpec,
} from './message-bus.port';
export { createKafkaMessageBus } from './kafkajs-message-bus';
export type { KafkaLogLevel, KafkaMessageBusOptions } from './kafkajs-message-bus';
export {
  CE_HEADERS,
  CLOUDEVENTS_SPEC_VERSION,
  JSON_CONTENT_TYPE,
  cloudEventSource,
  cloudEventType,
  parseCloudEventType,
} from './cloud-event.attributes';
export { toCloudEventMessage, toIntegrationCloudEventMessage } from './cloud-event.encode';
export type { CloudEventMessageOptions, IntegrationEventMessage } from './cloud-event.encode';
export {
  InvalidCloudEventError,
  isInvalidCloudEvent,
  parseCloudEventMessage,
} from './cloud-event.parse';
export type { ParsedCloudEvent } from './cloud-event.parse';
export { migrateMessaging, MESSAGING_MIGRATIONS } from './messaging.migrations';
export { OutboxRelay } from './outbox-relay';
export type { IntegrationEventMapping, OutboxRelayOptions, OutboxRelayState } from './outbox-relay';
export type { BackoffOptions } from './backoff';
export { backoffDelay, sleep } from './backoff';
export { silentLogger } from './messaging-logger';
export type { MessagingLogger } from './messaging-logger';
export { DLQ_HEADERS, IdempotentConsumer } from './idempotent-consumer';
export type { IdempotentBatchHandler, InboxEvent } from './inbox-batch';
export type {
  IdempotentConsumerOptions,
  IdempotentConsumerStats,
  IdempotentHandler,
} from './idempotent-consumer';
export { InboxPruner, pruneInbox } from './inbox-pruner';
export { DEFAULT_INBOX_RETENTION_DAYS, topicsOutlivingInbox } from './inbox-retention';
export type { TopicRetention } from './inbox-retention';
export type { InboxPruneOptions, InboxPruneResult, InboxPrunerOptions } from './inbox-pruner';
export { isTransientDatabaseError } from './transient-database-error';
export { inTransaction } from './transaction';
export { ProjectionRunner } from './projection-runner';
export type { ProjectionRunnerOptions } from './projection-runner';
export type { RebuildProgress } from './projection-rebuild';
export { Reactor } from './reactor';
export type { ReactionOutcome, ReactionTarget, ReactorOptions, ReactorState } from './reactor';
export { LockedSubscription } from './locked-subscription';
export type { LockedSubscriptionOptions, LockedSubscriptionState } from './locked-subscription';
