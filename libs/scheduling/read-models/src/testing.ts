// Test support for specs of the scheduling service and this library
// (`@trainyard/scheduling-read-models/testing`): not part of the runtime API.
export * from './test-support/job-run-history';
