import type { Clock } from '@trainyard/kernel';

/** The only place a service reads the system clock; tests provide another `Clock` (ServiceDefinition.clock). */
export const systemClock: Clock = { now: () => new Date().toISOString() };
