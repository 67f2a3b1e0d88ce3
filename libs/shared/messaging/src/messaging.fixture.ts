// Helpers for this library's integration tests (not exported from index.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import type { NewEvent } from '@trainyard/event-store';
import type {
  ConsumedMessage,
  MessageBus,
  MessageProducer,
  OutgoingMessage,
} from './message-bus.port';
import type { MessagingLogger } from './messaging-logger';
import { toCloudEventMessage } from './cloud-event.encode';

/** A valid event with fresh ids and a fresh W3C trace context. */
export function testEvent<TData>(type: string, data: TData): NewEvent<string, TData> {
  return {
    type,
    data,
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: 'user:test',
      trace: {
        traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
        tracestate: `trainyard=${randomBytes(4).toString('hex')}`,
      },
    },
  };
}

/** A `ReleaseScheduled` CloudEvent message of scheduling with a fresh event id (its `ce_id`). */
export function testCloudEventMessage(streamId: string, data: unknown): OutgoingMessage {
  return toCloudEventMessage(
    {
      position: 1n,
      transactionId: 1n,
      streamId,
      streamVersion: 1,
      type: 'ReleaseScheduled',
      schemaVersion: 1,
      data,
      metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'user:test' },
      recordedAt: new Date(),
    },
    'scheduling',
  );
}

export function freshStreamId(prefix = 'stream'): string {
  return `${prefix}-${randomUUID()}`;
}

export interface TopicCollector {
  readonly messages: ConsumedMessage[];
  ids(): Set<string>;
  stop(): Promise<void>;
}

/** Consumes `topic` from the beginning with its own group and keeps every message in arrival order. */
export async function collectTopic(
  bus: MessageBus,
  topic: string,
  groupId: string,
): Promise<TopicCollector> {
  const messages: ConsumedMessage[] = [];
  const consumer = bus.consumer({ groupId, topics: [topic], fromBeginning: true });
  await consumer.run((message) => {
    messages.push(message);
    return Promise.resolve();
  });
  return {
    messages,
    ids: () => new Set(messages.map((m) => m.headers['ce_id'] ?? '')),
    stop: () => consumer.disconnect(),
  };
}

/** Passes every send to a real producer and counts the acknowledged ones. */
export class CountingProducer implements MessageProducer {
  sends = 0;
  failures = 0;

  constructor(private readonly inner: MessageProducer) {}

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    try {
      await this.inner.send(topic, messages);
    } catch (error) {
      this.failures++;
      throw error;
    }
    this.sends++;
  }

  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
}

export interface RecordedLog {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly context: Record<string, unknown>;
}

/** A logger that keeps what it is told, for assertions and for printing when a test fails. */
export function recordingLogger(): MessagingLogger & { readonly entries: RecordedLog[] } {
  const entries: RecordedLog[] = [];
  const record =
    (level: RecordedLog['level']) => (context: Record<string, unknown>, message: string) => {
      entries.push({ level, message, context });
    };
  return {
    entries,
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
  };
}
