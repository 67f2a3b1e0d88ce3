import { Kafka, logLevel } from 'kafkajs';

/**
 * Points a scheduling test service's planning consumer at this file's own (empty) topic instead of
 * the shared broker's `trainyard.planning.events.v1`, whose history other specs keep growing: a
 * fresh consumer group would otherwise place every release ever committed there before answering.
 * The service reads the variable from the process environment; the returned function removes it.
 */
export const isolatePlanningTopic = async (ctx: {
  topic(name: string): string;
  readonly brokers: readonly string[];
}): Promise<() => void> => {
  const topic = ctx.topic('planning-events');
  const admin = new Kafka({ brokers: [...ctx.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  process.env.SCHEDULING_PLANNING_TOPIC = topic;
  return () => {
    delete process.env.SCHEDULING_PLANNING_TOPIC;
  };
};
