/**
 * The settings that keep a compliance test service's audit ledger off the shared broker's real
 * topics (every service's whole history, which other specs keep growing): it reads this file's own
 * topics, and the planning consumer reads `planning` when given. Passed to startTestService.
 */
export const isolatedTopicSettings = (
  ctx: { topic(name: string): string },
  topics: { planning?: string; ledger?: readonly string[] } = {},
): Record<string, string> => ({
  ...(topics.planning ? { COMPLIANCE_PLANNING_TOPIC: topics.planning } : {}),
  COMPLIANCE_LEDGER_TOPICS: (topics.ledger ?? [ctx.topic('ledger-events')]).join(','),
});
