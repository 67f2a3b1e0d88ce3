import { ValidationError } from '@trainyard/kernel';
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import { DAY_MS, MINUTE_MS, daysFromCivil } from '../time/civil-date';

/**
 * The values of a calendar entry, parsed one at a time: a local wall time, a wall-clock duration,
 * an RRULE. Each throws a `ValidationError` naming the field it was given.
 */

/** Frequencies a calendar entry may recur at: a window that opens every second is no window. */
export const CALENDAR_FREQUENCIES = ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
/** Most occurrences one expansion may produce (and most a rule's COUNT may name). */
export const MAX_CALENDAR_OCCURRENCES = 100_000;
/** Longest single occurrence: a year and a day of wall time. */
export const MAX_OCCURRENCE_DAYS = 366;
/** Most EXDATE or RDATE values, and most names in one scope list or `holidayRefs`. */
export const MAX_CALENDAR_LIST = 1_000;
const MAX_RULE = 500;

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
// Designators only, no fractions, no negative sign: the shapes Temporal and RFC 5545 agree on.
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** A local wall time parsed: its day number and minute of day, and both as local epoch ms. */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly minuteOfDay: number;
  /** The wall time read as if it were UTC: days * DAY_MS + minuteOfDay * MINUTE_MS. */
  readonly localMs: number;
}

/** `YYYY-MM-DDTHH:MM` as a valid wall time (years 1900..2200), or a `ValidationError` naming `field`. */
export const parseLocalDateTime = (field: string, value: unknown): LocalDateTime => {
  const match = typeof value === 'string' ? LOCAL_DATE_TIME.exec(value) : null;
  if (!match)
    throw new ValidationError(
      field,
      `${field} must be a local date-time YYYY-MM-DDTHH:MM; got ${describe(value)}.`,
    );
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const valid =
    year >= 1900 &&
    year <= 2200 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= Temporal.PlainYearMonth.from({ year, month }).daysInMonth &&
    hour <= 23 &&
    minute <= 59;
  if (!valid)
    throw new ValidationError(
      field,
      `${field} must be a real date and time between 1900 and 2200; got ${describe(value)}.`,
    );
  const minuteOfDay = hour * 60 + minute;
  const days = daysFromCivil({ year, month, day });
  return { year, month, day, minuteOfDay, localMs: days * DAY_MS + minuteOfDay * MINUTE_MS };
};

/** A positive ISO 8601 duration in wall-clock terms. */
export interface WallDuration {
  readonly text: string;
  readonly years: number;
  readonly months: number;
  /** Weeks and days, as days. */
  readonly days: number;
  /** Hours, minutes and seconds, as milliseconds. */
  readonly timeMs: number;
  /** No years or months: a fixed length of wall time, `fixedMs`. */
  readonly fixed: boolean;
  /** The longest wall time it can span (a month counted as 31 days, a year as 366). */
  readonly maxMs: number;
}

export const parseWallDuration = (field: string, value: unknown): WallDuration => {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match)
    throw new ValidationError(
      field,
      `${field} must be an ISO 8601 duration such as PT4H or P1D; got ${describe(value)}.`,
    );
  const n = (part: string | undefined): number => (part ? Number(part.slice(0, -1)) : 0);
  const years = n(match[1]);
  const months = n(match[2]);
  const days = n(match[3]) * 7 + n(match[4]);
  const timeMs = (n(match[6]) * 60 + n(match[7])) * MINUTE_MS + n(match[8]) * 1000;
  const maxMs = (years * 366 + months * 31 + days) * DAY_MS + timeMs;
  if (maxMs <= 0)
    throw new ValidationError(field, `${field} must be longer than zero; got ${String(value)}.`);
  if (maxMs > MAX_OCCURRENCE_DAYS * DAY_MS)
    throw new ValidationError(
      field,
      `${field} must not exceed ${MAX_OCCURRENCE_DAYS} days; got ${String(value)}.`,
    );
  return {
    text: value as string,
    years,
    months,
    days,
    timeMs,
    fixed: years === 0 && months === 0,
    maxMs,
  };
};

/** An RRULE value parsed by ical.js and checked to be bounded and sane. */
export const parseRecurrenceRule = (field: string, value: unknown): ICAL.Recur => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, `${field} is required for a recurrence.`);
  if (value.length > MAX_RULE)
    throw new ValidationError(field, `${field} must not exceed ${MAX_RULE} characters.`);
  if (/^RRULE:/i.test(value) || /[\r\n]/.test(value))
    throw new ValidationError(field, `${field} must be an RRULE value without the RRULE: prefix.`);
  let rule: ICAL.Recur;
  try {
    rule = ICAL.Recur.fromString(value);
  } catch (error) {
    throw new ValidationError(
      field,
      `${field} is not a valid RFC 5545 recurrence rule: ${(error as Error).message}.`,
    );
  }
  const freq = rule.freq as string | null;
  if (!freq || !(CALENDAR_FREQUENCIES as readonly string[]).includes(freq))
    throw new ValidationError(
      field,
      `${field} must have FREQ one of ${CALENDAR_FREQUENCIES.join(', ')}; got ${value}.`,
    );
  const known =
    /^(FREQ|INTERVAL|UNTIL|COUNT|BYMINUTE|BYHOUR|BYDAY|BYMONTHDAY|BYYEARDAY|BYWEEKNO|BYMONTH|BYSETPOS|WKST)=/i;
  for (const part of value.split(';'))
    if (!known.test(part))
      throw new ValidationError(
        field,
        `${field} has an unsupported part ${describe(part)}; seconds and extensions are not allowed.`,
      );
  if (!Number.isSafeInteger(rule.interval) || rule.interval < 1 || rule.interval > 1000)
    throw new ValidationError(field, `${field} must have an INTERVAL between 1 and 1000.`);
  if (rule.count !== null && !(rule.count >= 1 && rule.count <= MAX_CALENDAR_OCCURRENCES))
    throw new ValidationError(
      field,
      `${field} must have a COUNT between 1 and ${MAX_CALENDAR_OCCURRENCES}.`,
    );
  if (/UNTIL=[^;]*Z/i.test(value))
    throw new ValidationError(
      field,
      `${field} must give UNTIL as a local date or date-time without Z: the entry's zone applies.`,
    );
  if (rule.until && (rule.until.year < 1900 || rule.until.year > 2200))
    throw new ValidationError(field, `${field} must have an UNTIL between 1900 and 2200.`);
  return rule;
};

/** A value as shown in a message: text as is, anything else as JSON; long ones cut. */
export const describe = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};
