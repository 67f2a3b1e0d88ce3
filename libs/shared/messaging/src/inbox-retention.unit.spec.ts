import { topicsOutlivingInbox, type TopicRetention } from './inbox-retention';

const DAY = 86_400_000;
const topic = (over: Partial<TopicRetention>): TopicRetention => ({
  topic: 't',
  retentionMs: 7 * DAY,
  segmentMs: 7 * DAY,
  cleanupPolicy: 'delete',
  ...over,
});

describe('topicsOutlivingInbox', () => {
  it("accepts Kafka's defaults (7 days + a 7-day segment) against the default 14-day inbox", () => {
    expect(topicsOutlivingInbox(14, [topic({})])).toEqual([]);
  });

  it('names a topic whose retention plus one segment exceeds the inbox, with both figures', () => {
    expect(topicsOutlivingInbox(14, [topic({ topic: 'a', retentionMs: 10 * DAY })])).toEqual([
      `a can deliver a message up to 17 days after it was written (retention.ms=${10 * DAY} + segment.ms=${7 * DAY}); the inbox remembers a handled event for 14 days (MESSAGING_INBOX_RETENTION_DAYS)`,
    ]);
  });

  it('names topics kept for good: unlimited retention, or compaction without deletion', () => {
    const problems = topicsOutlivingInbox(3650, [
      topic({ topic: 'forever', retentionMs: -1 }),
      topic({ topic: 'compacted', cleanupPolicy: 'compact' }),
      topic({ topic: 'both', cleanupPolicy: 'compact,delete' }),
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^forever keeps messages for good \(retention\.ms=-1\)/);
    expect(problems[1]).toMatch(/^compacted is compacted \(cleanup\.policy=compact\)/);
  });

  it('is exact at the boundary: a lifetime equal to the inbox window is enough', () => {
    expect(topicsOutlivingInbox(2, [topic({ retentionMs: DAY, segmentMs: DAY })])).toEqual([]);
    expect(topicsOutlivingInbox(2, [topic({ retentionMs: DAY, segmentMs: DAY + 1 })])).toHaveLength(
      1,
    );
  });
});
