import {
  DEFAULT_OVERRIDE_POLICY,
  assertValidOverridePolicy,
  type OverridePolicy,
} from '@trainyard/scheduling-domain';

export const OVERRIDE_POLICY = Symbol('trainyard.scheduling.override-policy');
export const OVERRIDE_SWEEP_INTERVAL_MS = Symbol('trainyard.scheduling.override-sweep-interval');

/** The override policy this service decides with (versioned data, recorded on every request). */
export const SERVICE_OVERRIDE_POLICY: OverridePolicy =
  assertValidOverridePolicy(DEFAULT_OVERRIDE_POLICY);
