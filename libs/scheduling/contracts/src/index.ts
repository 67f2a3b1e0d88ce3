// What scheduling publishes on trainyard.scheduling.events.v1 (ADR 0009): one plain type per
// event and version under events/, the union and mapping from domain events, topic and CloudEvents names.
export * from './scheduling.topics';
