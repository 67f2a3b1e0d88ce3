import type { TopicRetention } from './inbox-retention';
// Our own small port to Kafka. kafkajs's maintenance is uncertain, so only its adapter (the
// kafkajs-*.ts files: message bus, producer, consumer, admin) imports it: replacing the client is
// one new adapter, not a change to every user.

/** A message to publish. Header values are UTF-8 strings; Kafka's byte headers are not needed here. */
export interface OutgoingMessage {
  /** Partitioning key: messages with one key land on one partition, in send order. */
  readonly key: string | null;
  /** null is a tombstone; a dead-lettered tombstone keeps it. */
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MessageProducer {
  /**
   * Resolves once every message is acknowledged by all in-sync replicas. Messages are written in
   * array order per partition. A rejection means any subset may have been written: callers that
   * must not lose messages send the whole array again (duplicates are possible, reordering of a
   * key's first occurrences is not).
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConsumedMessage extends OutgoingMessage {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit: kept as the decimal string the protocol client gives. */
  readonly offset: string;
  /** Milliseconds since the epoch, as a decimal string (the record's timestamp). */
  readonly timestamp: string;
}

/**
 * Called once per message, one at a time per partition. The message's offset is committed only
 * after the returned promise resolves; a rejection leaves it uncommitted, so the message is
 * delivered again (to this or another member of the group).
 */
export type MessageHandler = (message: ConsumedMessage) => Promise<void>;

/** The messages of one partition that one fetch returned, in offset order. */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedMessage[];
}

export interface BatchControl {
  /** Marks everything up to and including `offset` as handled: it is committed, never redelivered. */
  resolveOffset(offset: string): void;
  /** Keeps the group membership alive during a long batch. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was reassigned: stop early, leave the rest unresolved. */
  isRunning(): boolean;
}

/**
 * Called once per fetched batch, one batch at a time per partition. Only resolved offsets are
 * committed (after the promise settles); the unresolved rest of a batch is delivered again. A
 * rejection leaves the unresolved messages uncommitted, as with `MessageHandler`.
 */
export type BatchHandler = (batch: ConsumedBatch, control: BatchControl) => Promise<void>;

export interface ConsumerOptions {
  /** Used exactly as given: never suffixed or prefixed. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group without committed offsets starts. Default true (no event is missed). */
  readonly fromBeginning?: boolean;
  /** Partitions handled in parallel by this member. Default 1. */
  readonly partitionsConsumedConcurrently?: number;
}

export interface MessageConsumer {
  /** Joins the group and starts delivering to `handler`; resolves once the consumer runs. Once per consumer. */
  run(handler: MessageHandler): Promise<void>;
  /** As `run`, a fetched batch at a time (kafkajs `eachBatch`). Once per consumer, instead of `run`. */
  runBatches(handler: BatchHandler): Promise<void>;
  /** Stops fetching (the current message still finishes); the group membership is kept. */
  pause(): void;
  resume(): void;
  /** Lets the current message finish, commits the offsets of handled messages and leaves the group. */
  stop(): Promise<void>;
  /** stop(), then closes the connections. Idempotent. */
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Default 1 (single-broker development); production topics come from infra manifests. */
  readonly replicationFactor?: number;
  /** Topic configuration at creation, e.g. `{ 'cleanup.policy': 'compact' }`; an existing topic is left as it is. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface MessageAdmin {
  /** Creates the topics that do not exist yet and waits for their leaders; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /**
   * Deletes consumer groups and their committed offsets (a group of one process's own, once its
   * consumer has left). A group that does not exist counts as deleted; a group that still has
   * members, or any other refusal, rejects naming the group and the broker's reason.
   */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  /** The effective retention settings of those of `topics` that exist (others are left out). */
  topicRetention(topics: readonly string[]): Promise<TopicRetention[]>;
}

export interface MessageBus {
  /** An idempotent producer (acks from all in-sync replicas, one request in flight). */
  producer(): MessageProducer;
  consumer(options: ConsumerOptions): MessageConsumer;
  admin(): MessageAdmin;
}
