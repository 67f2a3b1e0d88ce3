import { ValidationError } from '@trainyard/kernel';
import { parseCron } from '../cron/cron-expression';
import { resolveDstPolicy, type GapPolicy, type OverlapPolicy } from '../time/dst-policy';
import { ZoneResolver } from '../time/zone-resolver';
import { MAX_INTERVAL_SECONDS } from './job-manifest.limits';
import { isObject, own, show, type Problems } from './job-manifest.problems';
import type { JobSchedule } from './job-manifest.types';

export const validateSchedule = (value: unknown, p: Problems): JobSchedule | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    p.add(
      'schedule',
      `schedule must be an object with cron and zone, or with everySeconds; got ${show(value)}.`,
    );
    return undefined;
  }
  if (own(value, 'everySeconds') !== undefined) {
    p.unknownKeys(value, ['everySeconds'], 'schedule');
    const everySeconds = p.integer(
      value,
      'everySeconds',
      'schedule',
      1,
      MAX_INTERVAL_SECONDS,
      true,
    );
    return everySeconds === undefined ? undefined : { everySeconds };
  }
  p.unknownKeys(value, ['cron', 'zone', 'gap', 'overlap'], 'schedule');
  const cron = own(value, 'cron');
  const zone = own(value, 'zone');
  const gap = own(value, 'gap');
  const overlap = own(value, 'overlap');
  let everyHour: boolean | undefined;
  try {
    everyHour = parseCron(cron as string).everyHour;
  } catch (error) {
    rethrowAs(error, 'schedule', p);
  }
  try {
    ZoneResolver.for(zone as string, 'schedule.zone');
  } catch (error) {
    rethrowAs(error, '', p);
  }
  let policyOk = true;
  for (const [key, v] of [
    ['gap', gap],
    ['overlap', overlap],
  ] as const)
    if (v !== undefined && typeof v !== 'string') {
      p.add(`schedule.${key}`, `schedule.${key} must be a string; got ${show(v)}.`);
      policyOk = false;
    }
  if (policyOk)
    try {
      resolveDstPolicy(
        { gap: gap as string | undefined, overlap: overlap as string | undefined },
        everyHour ?? false,
      );
    } catch (error) {
      rethrowAs(error, 'schedule', p);
    }
  if (p.list.some((e) => e.field.startsWith('schedule'))) return undefined;
  return {
    cron: parseCron(cron as string).expression,
    zone: zone as string,
    ...(gap === undefined ? {} : { gap: gap as GapPolicy }),
    ...(overlap === undefined ? {} : { overlap: overlap as OverlapPolicy }),
  };
};

/**
 * The `ValidationError` of the reused part-1 checks, each of its violations re-homed under
 * `prefix` (`cron` → `schedule.cron`).
 */
const rethrowAs = (error: unknown, prefix: string, p: Problems): void => {
  if (!(error instanceof ValidationError)) throw error;
  for (const violation of error.violations) {
    const field = prefix ? `${prefix}.${violation.field}` : violation.field;
    const message = violation.message.startsWith(violation.field)
      ? `${field}${violation.message.slice(violation.field.length)}`
      : violation.message;
    p.add(field, /[.!?]$/.test(message) ? message : `${message}.`);
  }
};
