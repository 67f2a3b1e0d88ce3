import { assertNonEmpty, ValidationError } from '@trainyard/kernel';
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import { DAY_MS, MINUTE_MS, daysFromCivil } from '../time/civil-date';
import { GAP_POLICIES, OVERLAP_POLICIES, type DstPolicy } from '../time/dst-policy';
import { ZoneResolver } from '../time/zone-resolver';
import {
  CALENDAR_ENTRY_KINDS,
  type CalendarEntryDefinition,
  type CalendarScope,
} from './calendar-entry';

/** Frequencies a calendar entry may recur at: a window that opens every second is no window. */
export const CALENDAR_FREQUENCIES = ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
/** Most occurrences one expansion may produce (and most a rule's COUNT may name). */
export const MAX_CALENDAR_OCCURRENCES = 100_000;
/** Longest single occurrence: a year and a day of wall time. */
export const MAX_OCCURRENCE_DAYS = 366;
/** Most EXDATE or RDATE values, and most names in one scope list or `holidayRefs`. */
export const MAX_CALENDAR_LIST = 1_000;
const MAX_TEXT = 200;
const MAX_RULE = 500;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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

const assertText = (field: string, value: unknown): void => {
  assertNonEmpty(field, value);
  if ((value as string).length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(value as string))
    throw new ValidationError(
      field,
      `${field} must be at most ${MAX_TEXT} characters without control characters.`,
    );
  if (LONE_SURROGATE.test(value as string))
    throw new ValidationError(field, `${field} must be well-formed Unicode text.`);
};

const assertNames = (field: string, value: unknown): void => {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length > MAX_CALENDAR_LIST)
    throw new ValidationError(
      field,
      `${field} must be a list of at most ${MAX_CALENDAR_LIST} names.`,
    );
  value.forEach((name, i) => assertText(`${field}[${i}]`, name));
};

const SCOPE_DIMENSIONS = ['trains', 'teams', 'environments', 'components'] as const;

export const validateCalendarScope = (field: string, scope: unknown): CalendarScope => {
  if (scope === null || typeof scope !== 'object' || Array.isArray(scope))
    throw new ValidationError(field, `${field} must be an object of name lists.`);
  for (const dimension of SCOPE_DIMENSIONS)
    assertNames(`${field}.${dimension}`, (scope as Record<string, unknown>)[dimension]);
  return scope;
};

export const validateDstPolicy = (field: string, policy: unknown): DstPolicy => {
  const { gap, overlap } = (policy ?? {}) as { gap?: unknown; overlap?: unknown };
  if (!(GAP_POLICIES as readonly unknown[]).includes(gap))
    throw new ValidationError(
      `${field}.gap`,
      `${field}.gap must be one of ${GAP_POLICIES.join(', ')}; got ${describe(gap)}.`,
    );
  if (!(OVERLAP_POLICIES as readonly unknown[]).includes(overlap))
    throw new ValidationError(
      `${field}.overlap`,
      `${field}.overlap must be one of ${OVERLAP_POLICIES.join(', ')}; got ${describe(overlap)}.`,
    );
  return policy as DstPolicy;
};

/**
 * Checks a definition as its owner wrote it, or throws a `ValidationError` naming the field: the
 * zone is IANA, the start a real local wall time, the duration positive, the RRULE parses and is
 * bounded, EXDATE/RDATE are local wall times, and the kind's own rules hold (a maintenance window
 * names at least one component; a holiday covers whole local days; only freezes and deployment
 * windows reference holidays).
 */
export const validateCalendarEntryDefinition = (definition: CalendarEntryDefinition): void => {
  if (definition === null || typeof definition !== 'object')
    throw new ValidationError('definition', 'definition is required.');
  assertText('id', definition.id);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(definition.id))
    throw new ValidationError(
      'id',
      'id must start with a letter or digit and hold only letters, digits, dots, colons, hyphens and underscores.',
    );
  if (!CALENDAR_ENTRY_KINDS.includes(definition.kind))
    throw new ValidationError(
      'kind',
      `kind must be one of ${CALENDAR_ENTRY_KINDS.join(', ')}; got ${describe(definition.kind)}.`,
    );
  assertText('name', definition.name);
  ZoneResolver.for(definition.zone, 'zone');
  const start = parseLocalDateTime('start', definition.start);
  const duration = parseWallDuration('duration', definition.duration);
  const recurrence = definition.recurrence;
  if (recurrence !== undefined) {
    if (recurrence === null || typeof recurrence !== 'object')
      throw new ValidationError('recurrence', 'recurrence must be an object with a rule.');
    parseRecurrenceRule('recurrence.rule', recurrence.rule);
    for (const list of ['exceptions', 'additions'] as const) {
      const values = recurrence[list];
      if (values === undefined) continue;
      if (!Array.isArray(values) || values.length > MAX_CALENDAR_LIST)
        throw new ValidationError(
          `recurrence.${list}`,
          `recurrence.${list} must be a list of at most ${MAX_CALENDAR_LIST} local date-times.`,
        );
      values.forEach((v, i) => parseLocalDateTime(`recurrence.${list}[${i}]`, v));
    }
  }
  validateDstPolicy('dstPolicy', definition.dstPolicy);
  validateCalendarScope('scope', definition.scope);
  assertNames('holidayRefs', definition.holidayRefs);
  if (
    definition.teamWorkingHoursOnly !== undefined &&
    typeof definition.teamWorkingHoursOnly !== 'boolean'
  )
    throw new ValidationError(
      'teamWorkingHoursOnly',
      'teamWorkingHoursOnly must be true or false.',
    );
  validateKindRules(definition, start, duration);
};

const validateKindRules = (
  definition: CalendarEntryDefinition,
  start: LocalDateTime,
  duration: WallDuration,
): void => {
  const refs = definition.holidayRefs ?? [];
  if (refs.length > 0 && definition.kind !== 'freeze' && definition.kind !== 'deployment-window')
    throw new ValidationError(
      'holidayRefs',
      'holidayRefs may only be given for a freeze or a deployment window.',
    );
  if (refs.includes(definition.id))
    throw new ValidationError('holidayRefs', 'holidayRefs must not name the entry itself.');
  switch (definition.kind) {
    case 'maintenance-window':
      if ((definition.scope.components ?? []).length === 0)
        throw new ValidationError(
          'scope.components',
          'scope.components must name at least one component for a maintenance window.',
        );
      return;
    case 'holiday':
      if (start.minuteOfDay !== 0)
        throw new ValidationError(
          'start',
          'start must be at 00:00 for a holiday: a holiday covers whole local days.',
        );
      if (duration.timeMs !== 0)
        throw new ValidationError(
          'duration',
          'duration must be whole days (such as P1D) for a holiday.',
        );
      if (
        definition.recurrence?.rule &&
        /BY(HOUR|MINUTE)=|FREQ=HOURLY/i.test(definition.recurrence.rule)
      )
        throw new ValidationError(
          'recurrence.rule',
          'recurrence.rule must not recur within a day for a holiday.',
        );
      (definition.recurrence?.additions ?? []).forEach((a, i) => {
        if (!a.endsWith('T00:00'))
          throw new ValidationError(
            `recurrence.additions[${i}]`,
            `recurrence.additions[${i}] must be at 00:00 for a holiday.`,
          );
      });
      return;
    case 'deployment-window':
    case 'freeze':
      return;
    default: {
      const unknown: never = definition.kind;
      throw new ValidationError('kind', `kind ${String(unknown)} is not known.`);
    }
  }
};

const describe = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};
