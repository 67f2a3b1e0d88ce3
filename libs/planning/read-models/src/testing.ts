// Test support for specs of the planning service and this library (`@trainyard/planning-read-models/testing`):
// not part of the runtime API.
export * from './test-support/planning-lifecycle.scenario';
export * from './test-support/scenario-store';
