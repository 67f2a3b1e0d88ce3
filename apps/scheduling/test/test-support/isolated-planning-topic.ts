/**
 * Points a scheduling test service's planning consumer at this file's own (empty) topic instead of
 * the shared broker's `trainyard.planning.events.v1`, whose history other specs keep growing: a
 * fresh consumer group would otherwise place every release ever committed there before answering.
 * The service reads the variable from the process environment; the returned function removes it.
 */
export const isolatePlanningTopic = async (ctx: {
  createTopic(name: string): Promise<string>;
}): Promise<() => void> => {
  process.env.SCHEDULING_PLANNING_TOPIC = await ctx.createTopic('planning-events');
  return () => {
    delete process.env.SCHEDULING_PLANNING_TOPIC;
  };
};
