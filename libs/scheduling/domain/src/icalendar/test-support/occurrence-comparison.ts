/** Comparing what a parser read from the feed with the service's own occurrences. For specs only. */
import { Temporal } from 'temporal-polyfill';
import type { CalendarEntryDefinition } from '../../calendar/calendar-entry';
import { isAllDay } from '../calendar-feed';
import type { ParsedOccurrence } from './feed-round-trip';
import { expandOccurrences } from '../../calendar/calendar-occurrences';

export interface ServiceOccurrence {
  /** UTC epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly localStart: string;
  readonly localEnd: string;
}

/** The service's own occurrences of a definition (the calendar's `expandOccurrences`) starting in [from, to). */
export const serviceOccurrences = (
  definition: CalendarEntryDefinition,
  from: number,
  to: number,
): ServiceOccurrence[] =>
  expandOccurrences(definition, from, to).map((o) => ({
    start: Date.parse(o.start),
    end: Date.parse(o.end),
    localStart: o.localStart,
    localEnd: o.localEnd,
  }));

const iso = (ms: number) => new Date(ms).toISOString();
const utcDate = (ms: number) => iso(ms).slice(0, 10);

/**
 * Same starts, one for one. Ends too, except for an occurrence with a DST change inside it:
 * there RFC 5545 keeps the exact length (DTEND − DTSTART) while the calendar keeps the nominal
 * local end, a difference iCalendar cannot express per instance.
 */
export const expectSameOccurrences = (
  definition: CalendarEntryDefinition,
  parsed: readonly ParsedOccurrence[],
  service: readonly ServiceOccurrence[],
): void => {
  if (isAllDay(definition)) {
    // DATE values: the same local days, whatever the instant.
    expect(parsed.map((p) => [utcDate(p.start), utcDate(p.end)])).toEqual(
      service.map((s) => [s.localStart.slice(0, 10), s.localEnd.slice(0, 10)]),
    );
    return;
  }
  expect({ id: definition.id, starts: parsed.map((p) => iso(p.start)) }).toEqual({
    id: definition.id,
    starts: service.map((s) => iso(s.start)),
  });
  service.forEach((s, i) => {
    const nominal = Temporal.PlainDateTime.from(s.localStart)
      .until(Temporal.PlainDateTime.from(s.localEnd), { largestUnit: 'hours' })
      .total({ unit: 'milliseconds' });
    if (s.end - s.start !== nominal) return;
    const p = parsed[i];
    expect({ id: definition.id, start: iso(s.start), end: p ? iso(p.end) : undefined }).toEqual({
      id: definition.id,
      start: iso(s.start),
      end: iso(s.end),
    });
  });
};
