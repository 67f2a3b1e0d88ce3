// What compliance publishes on trainyard.compliance.events.v1 for GRC tools: integration event types, topic, mapping, AsyncAPI.
export {};
