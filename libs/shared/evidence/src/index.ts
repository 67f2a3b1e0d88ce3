// Evidence bundles an auditor verifies offline: export from the services’ logs, Ed25519-signed manifest, offline verification.
export {};
