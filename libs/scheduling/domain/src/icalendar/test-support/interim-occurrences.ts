/**
 * The service's reading of a definition's occurrences, until the calendar's own expansion
 * (`expandOccurrences`, helper "cal") is merged: the RRULE iterated in local wall time by
 * ical.js, each wall time resolved by the one ZoneResolver with the definition's DST policy.
 * For specs only.
 */
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import type { CalendarEntryDefinition } from '../../calendar/calendar-entry';
import { daysFromCivil } from '../../time/civil-date';
import { ZoneResolver } from '../../time/zone-resolver';
import { formatLocal } from '../ical-text';

export interface ServiceOccurrence {
  readonly start: number;
  readonly end: number;
  readonly localStart: string;
  readonly localEnd: string;
}

const resolve = (
  resolver: ZoneResolver,
  wall: Temporal.PlainDateTime,
  policy: CalendarEntryDefinition['dstPolicy'],
): number[] => {
  const out: number[] = [];
  const date = { year: wall.year, month: wall.month, day: wall.day };
  resolver.resolveDay(date, daysFromCivil(date), [wall.hour * 60 + wall.minute], policy, out);
  return out;
};

export const interimOccurrences = (
  definition: CalendarEntryDefinition,
  from: number,
  to: number,
): ServiceOccurrence[] => {
  const resolver = ZoneResolver.for(definition.zone);
  const start = Temporal.PlainDateTime.from(definition.start);
  const duration = Temporal.Duration.from(definition.duration);
  const walls: Temporal.PlainDateTime[] = [];
  const horizon = Temporal.Instant.fromEpochMilliseconds(to)
    .toZonedDateTimeISO('UTC')
    .toPlainDateTime()
    .add({ days: 2 });
  if (!definition.recurrence) walls.push(start);
  else {
    // A date UNTIL includes its whole local day.
    const rule = ICAL.Recur.fromString(
      definition.recurrence.rule.replace(/(^|;)UNTIL=(\d{8})(?=;|$)/, '$1UNTIL=$2T235959'),
    );
    const iterator = rule.iterator(
      ICAL.Time.fromData({
        year: start.year,
        month: start.month,
        day: start.day,
        hour: start.hour,
        minute: start.minute,
        isDate: false,
      }),
    );
    const exceptions = new Set(definition.recurrence.exceptions ?? []);
    for (let next = iterator.next(); next; next = iterator.next()) {
      const wall = Temporal.PlainDateTime.from({
        year: next.year,
        month: next.month,
        day: next.day,
        hour: next.hour,
        minute: next.minute,
      });
      if (Temporal.PlainDateTime.compare(wall, horizon) > 0) break;
      if (!exceptions.has(formatLocal(wall))) walls.push(wall);
    }
    for (const addition of definition.recurrence.additions ?? [])
      walls.push(Temporal.PlainDateTime.from(addition));
  }
  const occurrences: ServiceOccurrence[] = [];
  for (const wall of walls) {
    const endWall = wall.add(duration);
    for (const instant of resolve(resolver, wall, definition.dstPolicy)) {
      const end = resolve(resolver, endWall, { gap: 'shift', overlap: 'first' })[0] ?? instant;
      if (instant >= from && instant <= to)
        occurrences.push({
          start: instant,
          end,
          localStart: formatLocal(wall),
          localEnd: formatLocal(endWall),
        });
    }
  }
  return occurrences.sort((a, b) => a.start - b.start);
};
