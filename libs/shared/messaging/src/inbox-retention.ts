/** How long Kafka keeps a topic's messages: its effective `retention.ms`, `segment.ms` and `cleanup.policy`. */
export interface TopicRetention {
  readonly topic: string;
  /** -1: no time limit. */
  readonly retentionMs: number;
  readonly segmentMs: number;
  /** `delete`, `compact` or both (comma-separated, as Kafka lists them). */
  readonly cleanupPolicy: string;
}

/** `MESSAGING_INBOX_RETENTION_DAYS` unless set: twice Kafka's default retention.ms plus segment.ms. */
export const DEFAULT_INBOX_RETENTION_DAYS = 14;

const DAY_MS = 86_400_000;

/**
 * The consumed topics that can deliver a message after the inbox has forgotten handling it, each
 * with the reason. A consumer group whose committed offsets expire (the broker's
 * `offsets.retention.minutes`, 7 days by default, after its last member left) or are reset starts
 * again from the earliest message Kafka still holds; an event whose inbox row was pruned
 * (`retentionDays` after it was handled) is then handled a second time. Kafka deletes a segment
 * whole once its newest message is past retention, so a message can live `retention.ms` plus
 * `segment.ms`; a compacted topic keeps each key's latest message for good.
 */
export function topicsOutlivingInbox(
  retentionDays: number,
  topics: readonly TopicRetention[],
): string[] {
  const inboxMs = retentionDays * DAY_MS;
  const kept = `the inbox remembers a handled event for ${retentionDays} days (MESSAGING_INBOX_RETENTION_DAYS)`;
  return topics.flatMap((t) => {
    const policies = t.cleanupPolicy.split(',').map((p) => p.trim());
    if (!policies.includes('delete'))
      return [
        `${t.topic} is compacted (cleanup.policy=${t.cleanupPolicy}) and keeps messages for good; ${kept}`,
      ];
    if (t.retentionMs < 0) return [`${t.topic} keeps messages for good (retention.ms=-1); ${kept}`];
    const lifetime = t.retentionMs + Math.max(t.segmentMs, 0);
    if (lifetime <= inboxMs) return [];
    return [
      `${t.topic} can deliver a message up to ${days(lifetime)} days after it was written (retention.ms=${t.retentionMs} + segment.ms=${t.segmentMs}); ${kept}`,
    ];
  });
}

const days = (ms: number): string => String(Math.round((ms / DAY_MS) * 10) / 10);
