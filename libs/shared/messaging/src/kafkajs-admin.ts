// The kafkajs adapter of the message bus (see message-bus.port.ts): the admin client.
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import type { TopicRetention } from './inbox-retention';
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
  async topicRetention(topics: readonly string[]): Promise<TopicRetention[]> {
    if (topics.length === 0) return [];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const names = [...new Set(topics)].filter((t) => existing.has(t));
      if (names.length === 0) return [];
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: RETENTION_CONFIGS,
        })),
      });
      return resources.map((resource) => {
        const value = (name: string): string | undefined =>
          resource.configEntries.find((entry) => entry.configName === name)?.configValue;
        return {
          topic: resource.resourceName,
          retentionMs: Number(value('retention.ms') ?? -1),
          segmentMs: Number(value('segment.ms') ?? 0),
          cleanupPolicy: value('cleanup.policy') ?? 'delete',
        };
      });
    } finally {
      await admin.disconnect();
    }
  }

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

const RETENTION_CONFIGS = ['retention.ms', 'segment.ms', 'cleanup.policy'];

/** One group kafkajs's KafkaJSDeleteGroupsError lists. */
interface DeleteGroupFailure {
  readonly groupId: string;
  readonly errorCode: number;
  readonly error?: { readonly type?: string };
}
