// Test support for specs of bundles (`@trainyard/evidence/testing`): not part of the runtime API.
export * from './bundle-tampering.fixture';
