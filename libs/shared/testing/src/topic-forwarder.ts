import { Kafka, logLevel, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { waitFor } from './wait-for';

export interface TopicForwarderOptions {
  readonly brokers: readonly string[];
  /** The shared topic a service publishes to (created if missing). */
  readonly from: string;
  /** This test's own topic, created with one partition; the service under test reads it. */
  readonly to: string;
  readonly groupId: string;
  /** Which messages are this test's (e.g. keys carrying the run's suffix). */
  readonly accept: (key: string, message: KafkaMessage) => boolean;
}

export interface TopicForwarder {
  /** Keys forwarded so far, in order. */
  readonly forwarded: readonly string[];
  stop(): Promise<void>;
}

/**
 * Forwards this test's messages from a shared topic to a topic of its own, as they are published
 * from now on (the shared topic's history is never read). A service consuming the shared topic
 * with a fresh group would otherwise work through every message other specs ever published there
 * before reaching this test's, and time out as the broker's history grows.
 */
export async function forwardTopic(options: TopicForwarderOptions): Promise<TopicForwarder> {
  const kafka = new Kafka({
    clientId: `forward-${options.groupId}`,
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A topic just created can be unknown to the broker's metadata for a moment, and kafkajs's
    // waitForLeaders (on by default) fails on that: wait until both topics answer with offsets.
    await admin.createTopics({
      topics: [{ topic: options.to, numPartitions: 1 }],
      waitForLeaders: false,
    });
    await admin.createTopics({ topics: [{ topic: options.from }], waitForLeaders: false });
    await waitFor(() => admin.fetchTopicOffsets(options.to).then(() => true), {
      description: `topic ${options.to}`,
      timeoutMs: 30_000,
    });
    const startOffsets = await waitFor(
      () => admin.fetchTopicOffsets(options.from).then((o) => o.length > 0 && o),
      {
        description: `topic ${options.from}`,
        timeoutMs: 30_000,
      },
    );
    // The new group starts where the shared topic ends now: committed before its consumer joins.
    // (A seek after run() races the group join, and a consumer restarted after a crash loses it.)
    await admin.setOffsets({
      groupId: options.groupId,
      topic: options.from,
      partitions: startOffsets.map(({ partition, offset }) => ({ partition, offset })),
    });
  } finally {
    await admin.disconnect();
  }
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: options.from, fromBeginning: false });
  const forwarded: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      if (!options.accept(key, message)) return;
      await producer.send({
        topic: options.to,
        messages: [{ key: message.key, value: message.value, headers: message.headers ?? {} }],
      });
      forwarded.push(key);
    },
  });
  return {
    forwarded,
    stop: async () => {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    },
  };
}
