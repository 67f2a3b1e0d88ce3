/**
 * Keeps a compliance test service's audit ledger off the shared broker's real topics (every
 * service's whole history, which other specs keep growing): it reads this file's own topics, and
 * the planning consumer reads `planning` when given. The service reads these variables from the
 * process environment, so they are set there; the returned function removes them (afterAll).
 */
export const isolateTopics = (
  ctx: { topic(name: string): string },
  topics: { planning?: string; ledger?: readonly string[] } = {},
): (() => void) => {
  if (topics.planning) process.env.COMPLIANCE_PLANNING_TOPIC = topics.planning;
  process.env.COMPLIANCE_LEDGER_TOPICS = (topics.ledger ?? [ctx.topic('ledger-events')]).join(',');
  return () => {
    delete process.env.COMPLIANCE_PLANNING_TOPIC;
    delete process.env.COMPLIANCE_LEDGER_TOPICS;
  };
};
