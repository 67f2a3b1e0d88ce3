import { ValidationError } from '@trainyard/kernel';
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';

/** Content lines end in CRLF (RFC 5545 §3.1), the last one included. */
export const CRLF = '\r\n';
/** At most 75 octets per content line, CRLF excluded, the continuation's leading space included. */
export const FOLD_OCTETS = 75;

const utf8Length = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;

/**
 * One unfolded content line folded at 75 octets, never inside a UTF-8 sequence. ical.js folds
 * the first line at 75 octets but lets each continuation reach 76 with its leading space, so the
 * feed unfolds what ical.js wrote and folds it here.
 */
export const foldLine = (line: string): string => {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = utf8Length(ch.codePointAt(0) ?? 0);
    if (octets + size > FOLD_OCTETS) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join(CRLF);
};

/** A whole iCalendar text, unfolded, folded again at 75 octets, every line ending in CRLF. */
export const refold = (text: string): string =>
  unfold(text)
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => foldLine(line) + CRLF)
    .join('');

/** RFC 5545 §3.1 unfolding: a line break followed by one space or tab continues the line. */
export const unfold = (text: string): string => text.replace(/\r?\n[ \t]/g, '');

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** A nominal local `YYYY-MM-DDTHH:MM` as a Temporal wall time, or a `ValidationError`. */
export const parseLocal = (field: string, value: string): Temporal.PlainDateTime => {
  const match = LOCAL.exec(value);
  if (!match)
    throw new ValidationError(
      field,
      `${field} must be a local date-time YYYY-MM-DDTHH:MM; got ${value}`,
    );
  try {
    return Temporal.PlainDateTime.from(value, { overflow: 'reject' });
  } catch {
    throw new ValidationError(field, `${field} is not a calendar date-time; got ${value}`);
  }
};

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** A wall time as the nominal local `YYYY-MM-DDTHH:MM` of the calendar vocabulary. */
export const formatLocal = (t: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}): string => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}`;

/** A wall time as an ical.js floating date-time (the TZID parameter says which zone). */
export const icalLocalTime = (t: Temporal.PlainDateTime): ICAL.Time =>
  ICAL.Time.fromData({
    year: t.year,
    month: t.month,
    day: t.day,
    hour: t.hour,
    minute: t.minute,
    second: t.second,
    isDate: false,
  });

/** A calendar date as an ical.js DATE value (all-day). */
export const icalDate = (t: { year: number; month: number; day: number }): ICAL.Time =>
  ICAL.Time.fromData({ year: t.year, month: t.month, day: t.day, isDate: true });

/** Epoch milliseconds as an ical.js UTC date-time (`…Z`). */
export const icalUtcTime = (epochMs: number): ICAL.Time => {
  const i = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO('UTC');
  return ICAL.Time.fromData(
    {
      year: i.year,
      month: i.month,
      day: i.day,
      hour: i.hour,
      minute: i.minute,
      second: i.second,
      isDate: false,
    },
    ICAL.Timezone.utcTimezone,
  );
};

/** The zone names that mean UTC: no VTIMEZONE, values in `Z` form. */
export const isUtcZone = (zone: string): boolean =>
  ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Z', 'Etc/Zulu', 'Etc/UCT', 'UCT', 'Zulu'].includes(zone);
