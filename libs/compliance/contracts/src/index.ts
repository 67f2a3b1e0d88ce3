// What compliance publishes on trainyard.compliance.events.v1 for GRC tools: integration event types, topic, mapping, AsyncAPI.
export type * from './events/policy-bundle-approved.v1';
export type * from './events/policy-evaluated.v1';
export type * from './events/compliance-sample-drawn.v1';
export type * from './events/compliance-finding-raised.v1';
export * from './compliance-integration-event';
export * from './compliance.topics';
export * from './compliance-integration.mapping';
export type * from './events/review-events.v1';
export * from './review-integration.mapping';
export type * from './events/access-events.v1';
export * from './access-integration.mapping';
export type * from './events/privacy-events.v1';
export * from './privacy-integration.mapping';
