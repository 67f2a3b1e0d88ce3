import { ValidationError } from '@trainyard/kernel';
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

/**
 * How often the expiry sweeper looks for overrides past `to`: `OVERRIDE_SWEEP_INTERVAL_MS`
 * (default one minute). Nothing depends on its punctuality: an override stops lifting its freeze
 * at `to` by itself (isOverrideActive); the sweeper only records the fact and opens the review.
 */
export const overrideSweepIntervalMs = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env.OVERRIDE_SWEEP_INTERVAL_MS;
  if (raw === undefined || raw === '') return 60_000;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 10 || value > 86_400_000)
    throw new ValidationError(
      'OVERRIDE_SWEEP_INTERVAL_MS',
      `OVERRIDE_SWEEP_INTERVAL_MS must be whole milliseconds 10..86400000; got ${raw}`,
    );
  return value;
};
