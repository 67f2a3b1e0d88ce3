import { ValidationError } from '@trainyard/kernel';
import { civilFromDays, dayOfWeek, DAY_MS } from '../time/civil-date';
import type { DstPolicy } from '../time/dst-policy';
import { ZoneResolver } from '../time/zone-resolver';
import { IntervalUnion } from './interval-index';
import type { TeamWorkingHours } from './placement.types';

// A working day starting in a gap starts when the clock resumes; in an overlap, at the first.
const HOURS_POLICY: DstPolicy = { gap: 'shift', overlap: 'first' };
// Hours whose start and end both fall in a gap never happen on that day (Apia skipped 30 December
// 2011 whole): without this, shifting would move them onto the next day.
const EXISTS_POLICY: DstPolicy = { gap: 'skip', overlap: 'first' };

const parseMinute = (value: string, field: string, allowEndOfDay: boolean): number => {
  const match = /^(\d{2}):(\d{2})$/.exec(value);
  const minute = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (
    !match ||
    Number(match[2]) > 59 ||
    minute > (allowEndOfDay ? 1440 : 1439) ||
    (minute === 1440 && value !== '24:00')
  )
    throw new ValidationError(field, `${field} must be a local time HH:MM; got ${value}`);
  return minute;
};

/**
 * A team's local weekly working hours as UTC intervals over [from, to), each local day's hours
 * resolved in the team's zone through the one ZoneResolver (never Date local time, ADR 0011).
 */
export const workingHoursIntervals = (
  hours: TeamWorkingHours,
  from: number,
  to: number,
  field = 'teamWorkingHours',
): IntervalUnion => {
  const resolver = ZoneResolver.for(hours.zone, `${field}.zone`);
  const byDay: { from: number; to: number }[][] = [[], [], [], [], [], [], []];
  hours.weekly.forEach((h, i) => {
    if (!Number.isInteger(h.day) || h.day < 0 || h.day > 6)
      throw new ValidationError(
        `${field}.weekly[${i}].day`,
        `${field}.weekly[${i}].day must be 0 (Sunday) to 6 (Saturday); got ${h.day}`,
      );
    const start = parseMinute(h.from, `${field}.weekly[${i}].from`, false);
    const end = parseMinute(h.to, `${field}.weekly[${i}].to`, true);
    if (end <= start)
      throw new ValidationError(
        `${field}.weekly[${i}].to`,
        `${field}.weekly[${i}].to must be after from.`,
      );
    byDay[h.day]!.push({ from: start, to: end });
  });
  const out: { start: number; end: number }[] = [];
  // Local days that can touch [from, to): zones are at most ±14 h from UTC.
  const firstDay = Math.floor(from / DAY_MS) - 1;
  const lastDay = Math.floor(to / DAY_MS) + 1;
  const instants: number[] = [];
  for (let days = firstDay; days <= lastDay; days++) {
    const spans = byDay[dayOfWeek(days)]!;
    if (spans.length === 0) continue;
    const date = civilFromDays(days);
    for (const span of spans) {
      const endDate = span.to === 1440 ? civilFromDays(days + 1) : date;
      const endDays = span.to === 1440 ? days + 1 : days;
      const endMinute = span.to === 1440 ? 0 : span.to;
      instants.length = 0;
      resolver.resolveDay(date, days, [span.from], EXISTS_POLICY, instants);
      resolver.resolveDay(endDate, endDays, [endMinute], EXISTS_POLICY, instants);
      if (instants.length === 0) continue;
      instants.length = 0;
      resolver.resolveDay(date, days, [span.from], HOURS_POLICY, instants);
      resolver.resolveDay(endDate, endDays, [endMinute], HOURS_POLICY, instants);
      if (instants.length === 2 && instants[1]! > instants[0]!)
        out.push({ start: instants[0]!, end: instants[1]! });
    }
  }
  return new IntervalUnion(out);
};
