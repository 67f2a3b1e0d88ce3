// The kafkajs adapter of the message bus (see message-bus.port.ts): the admin client.
import type { Kafka } from 'kafkajs';
import type { MessageAdmin, TopicSpec } from './message-bus.port';

export class KafkaJsAdmin implements MessageAdmin {
  constructor(private readonly kafka: Kafka) {}

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return;
      // Resolves false when a concurrent creator won the race: fine too.
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? 1,
          ...(t.config
            ? { configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })) }
            : {}),
        })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * One attempt, no retries of kafkajs's own (which back off for up to half a minute): a caller
   * that retries, as a shutdown does under its deadline, never leaves an attempt running behind it.
   */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    await admin.connect();
    try {
      await admin.deleteGroups([...groupIds]);
    } catch (error) {
      const refused = (error as { groups?: readonly DeleteGroupFailure[] }).groups;
      if (!refused) throw error;
      const failures = refused.filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND');
      if (failures.length > 0)
        throw new Error(
          `could not delete consumer groups: ${failures.map((g) => `${g.groupId} (${g.error?.type ?? `error code ${g.errorCode}`})`).join(', ')}`,
        );
    } finally {
      await admin.disconnect();
    }
  }
}

/** One group kafkajs's KafkaJSDeleteGroupsError lists. */
interface DeleteGroupFailure {
  readonly groupId: string;
  readonly errorCode: number;
  readonly error?: { readonly type?: string };
}
