// What scheduling publishes on trainyard.scheduling.events.v1: integration event types, topic, mapping, AsyncAPI.
export {};
