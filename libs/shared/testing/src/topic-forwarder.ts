import { Kafka, logLevel, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';

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
  let startOffsets: { partition: number; offset: string }[];
  try {
    await admin.createTopics({
      topics: [{ topic: options.to, numPartitions: 1 }],
      waitForLeaders: true,
    });
    await admin.createTopics({ topics: [{ topic: options.from }], waitForLeaders: true });
    startOffsets = await admin.fetchTopicOffsets(options.from);
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
  for (const { partition, offset } of startOffsets)
    consumer.seek({ topic: options.from, partition, offset });
  return {
    forwarded,
    stop: async () => {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    },
  };
}
