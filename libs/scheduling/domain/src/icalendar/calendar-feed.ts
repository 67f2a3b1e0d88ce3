import { RuleViolation, ValidationError } from '@trainyard/kernel';
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import { tzlib_get_ical_block, tzlib_get_timezones } from 'timezones-ical-library';
import type {
  CalendarEntryDefinition,
  CalendarEntryKind,
  CalendarScope,
} from '../calendar/calendar-entry';
import { expandOccurrences } from '../calendar/calendar-occurrences';
import { DAY_MS, daysFromCivil } from '../time/civil-date';
import { ZoneResolver } from '../time/zone-resolver';
import { icalDate, icalLocalTime, icalUtcTime, isUtcZone, parseLocal, refold } from './ical-text';

/** One calendar entry as the read model holds it: its definition and its life so far. */
export interface CalendarFeedEntry {
  readonly definition: CalendarEntryDefinition;
  /** How many times the entry changed after its definition (0 = never): the VEVENT's SEQUENCE. */
  readonly sequence: number;
  /** A retired entry stays in the feed as STATUS:CANCELLED, so subscribers drop it. */
  readonly retired: boolean;
  /** UTC instant of the last change (LAST-MODIFIED). */
  readonly updatedAt: string;
}

/** Which entries a subscriber wants: an entry is in the feed when its scope allows every value given. */
export interface CalendarFeedFilter {
  readonly train?: string;
  readonly team?: string;
  readonly environment?: string;
  readonly component?: string;
}

export interface CalendarFeedOptions {
  /** X-WR-CALNAME, the name a client shows for the subscription. */
  readonly calendarName: string;
  /** UTC instant the feed is produced (DTSTAMP); it comes from the caller's clock. */
  readonly generatedAt: string;
  readonly filter?: CalendarFeedFilter;
  /**
   * Days before and after `generatedAt` over which an entry with a DST policy other than RFC
   * 5545's (gap shift, overlap first) is made exact with UTC EXDATE/RDATE values; default 365 / 730.
   */
  readonly policyHorizonDays?: { readonly before: number; readonly after: number };
}

const RFC_POLICY = { gap: 'shift', overlap: 'first' } as const;

/**
 * RFC 5545 reads a wall time in a gap with the offset before it and one in an overlap at its first
 * instant. An entry whose policy differs (gap skip; overlap last or both) gets, over the horizon,
 * an EXDATE for each RFC instant the policy drops and an RDATE for each instant it adds, in UTC.
 */
const policyCorrections = (
  definition: CalendarEntryDefinition,
  horizon: { from: number; to: number },
): { exdates: number[]; rdates: number[] } => {
  const { gap, overlap } = definition.dstPolicy;
  if (!definition.recurrence || (gap === 'shift' && overlap === 'first'))
    return { exdates: [], rdates: [] };
  const starts = (d: CalendarEntryDefinition) =>
    new Set(expandOccurrences(d, horizon.from, horizon.to).map((o) => instantMs('start', o.start)));
  const service = starts(definition);
  const rfc = starts({ ...definition, dstPolicy: RFC_POLICY });
  return {
    exdates: [...rfc].filter((s) => !service.has(s)).sort((a, b) => a - b),
    rdates: [...service].filter((s) => !rfc.has(s)).sort((a, b) => a - b),
  };
};

export const CALENDAR_FEED_PRODID = '-//Trainyard//Scheduling Calendar 1.0//EN';
export const UID_DOMAIN = 'trainyard';

/** The stable UID of an entry's VEVENT: it never changes while the entry lives. */
export const calendarEntryUid = (entryId: string): string => `${entryId}@${UID_DOMAIN}`;

const KIND_LABEL: Record<CalendarEntryKind, string> = {
  'deployment-window': 'Deployment window',
  'maintenance-window': 'Maintenance window',
  freeze: 'Freeze',
  holiday: 'Holiday',
};

/** CATEGORIES by kind: what a client can colour or filter on. */
export const KIND_CATEGORY: Record<CalendarEntryKind, string> = {
  'deployment-window': 'DEPLOYMENT-WINDOW',
  'maintenance-window': 'MAINTENANCE-WINDOW',
  freeze: 'FREEZE',
  holiday: 'HOLIDAY',
};

const allows = (values: readonly string[] | undefined, value: string | undefined): boolean =>
  value === undefined || values === undefined || values.length === 0 || values.includes(value);

/** Whether an entry with this scope applies to every value the filter names (absent = any). */
export const scopeAllows = (scope: CalendarScope, filter: CalendarFeedFilter): boolean =>
  allows(scope.trains, filter.train) &&
  allows(scope.teams, filter.team) &&
  allows(scope.environments, filter.environment) &&
  allows(scope.components, filter.component);

let knownTzlibZones: ReadonlySet<string> | undefined;
const tzlibZones = (): ReadonlySet<string> => {
  knownTzlibZones ??= new Set(tzlib_get_timezones() as string[]);
  return knownTzlibZones;
};

/** The VTIMEZONE block of a zone and the TZID it names (aliases read as their canonical zone). */
export const vtimezoneOf = (zone: string): { tzid: string; component: ICAL.Component } => {
  // Asking tzlib about a zone it does not know prints to the console; ask the list first.
  const block = tzlibZones().has(zone) ? tzlib_get_ical_block(zone) : '';
  if (!Array.isArray(block) || typeof block[0] !== 'string' || block[0] === '')
    throw new RuleViolation(
      'icalendar-zone-known',
      `the time zone ${zone} has no VTIMEZONE definition, so the entry cannot be exported`,
    );
  const component = new ICAL.Component(ICAL.parse(block[0]) as unknown[]);
  const tzid = component.getFirstPropertyValue('tzid');
  return { tzid: typeof tzid === 'string' ? tzid : zone, component };
};

/** A local `YYYY-MM-DDTHH:MM` read as the last instant carrying that wall time (for UNTIL). */
const latestInstantOf = (zone: string, wall: Temporal.PlainDateTime): number => {
  const out: number[] = [];
  const date = { year: wall.year, month: wall.month, day: wall.day };
  ZoneResolver.for(zone).resolveDay(
    date,
    daysFromCivil(date),
    [wall.hour * 60 + wall.minute],
    { gap: 'shift', overlap: 'both' },
    out,
  );
  return (out[out.length - 1] ?? 0) + wall.second * 1000;
};

const instantMs = (field: string, value: string): number => {
  try {
    return Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    throw new ValidationError(field, `${field} must be an RFC 3339 instant; got ${value}`);
  }
};

/**
 * An EXDATE or RDATE wall time as the feed writes it, where RFC 5545's reading is not what every
 * parser does. One that a spring-forward gap skipped becomes the wall time it is read at (02:30 →
 * 03:30): RFC 5545 reads it with the offset before the gap, but parsers differ on a value that does
 * not exist, and the instant it names must match the shifted occurrence. One that a fall-back
 * overlap repeats becomes its first instant in UTC (a number): RFC 5545 reads it so, but node-ical
 * matched such an EXDATE to neither instant and kept the occurrence.
 */
const unambiguousTime = (
  zone: string,
  wall: Temporal.PlainDateTime,
): Temporal.PlainDateTime | number => {
  const out: number[] = [];
  const date = { year: wall.year, month: wall.month, day: wall.day };
  ZoneResolver.for(zone).resolveDay(
    date,
    daysFromCivil(date),
    [wall.hour * 60 + wall.minute],
    { gap: 'shift', overlap: 'both' },
    out,
  );
  const [instant, repeated] = out;
  if (instant === undefined) return wall;
  if (repeated !== undefined) return instant + wall.second * 1000;
  return Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(zone).toPlainDateTime();
};

const UNTIL = /(^|;)UNTIL=([0-9TZ]+)/i;

/**
 * The RRULE value for the entry's DTSTART type. RFC 5545 wants UNTIL in UTC when DTSTART has a
 * TZID, and a DATE when DTSTART is a DATE; the definition keeps it as a local date or date-time.
 */
export const recurrenceRuleFor = (
  rule: string,
  zone: string,
  allDay: boolean,
  start?: Temporal.PlainDateTime,
  field = 'recurrence.rule',
): ICAL.Recur => {
  if (!/(^|;)FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;|$)/i.test(rule))
    throw new ValidationError(field, `${field} must be an RRULE value with a FREQ; got ${rule}`);
  let value = rule.replace(/^RRULE:/i, '');
  const until = UNTIL.exec(value);
  if (until?.[2] !== undefined) {
    const raw = until[2].toUpperCase();
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(raw);
    if (!m)
      throw new ValidationError(field, `${field} has an UNTIL that is not a date; got ${raw}`);
    const [, y, mo, d, h, mi, s, z] = m;
    let replacement = raw;
    if (allDay) {
      replacement = `${y}${mo}${d}`;
    } else if (z === undefined && !isUtcZone(zone)) {
      // A date UNTIL is read as that local date at 00:00, as the calendar's expansion (ical.js)
      // reads it against date-time occurrences.
      const wall = Temporal.PlainDateTime.from({
        year: Number(y),
        month: Number(mo),
        day: Number(d),
        hour: h === undefined ? 0 : Number(h),
        minute: mi === undefined ? 0 : Number(mi),
        second: s === undefined ? 0 : Number(s),
      });
      replacement = icalUtcTime(latestInstantOf(zone, wall)).toICALString();
    } else if (z === undefined) {
      replacement = `${y}${mo}${d}T${h ?? '00'}${mi ?? '00'}${s ?? '00'}Z`;
    }
    value = value.replace(UNTIL, `$1UNTIL=${replacement}`);
  }
  // RFC 5545 §3.3.10 takes an absent BYHOUR/BYMINUTE from DTSTART; saying them changes nothing
  // but keeps readers that carry a gap's shifted wall time into every later occurrence (node-ical
  // 0.26 through rrule-temporal 1.x, ggaabe/rrule-temporal#136) on the nominal time.
  if (
    start !== undefined &&
    !allDay &&
    /(^|;)FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;|$)/i.test(value) &&
    !/(^|;)BY(HOUR|MINUTE|SECOND)=/i.test(value)
  )
    value = `${value};BYHOUR=${start.hour};BYMINUTE=${start.minute}`;
  try {
    return ICAL.Recur.fromString(value);
  } catch (error) {
    throw new ValidationError(
      field,
      `${field} is not a valid RRULE: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
};

/**
 * Whole local days: a holiday starting at midnight whose duration is days or weeks. It is
 * exported as DATE values so clients show it on its day in every zone, as its calendar means.
 */
export const isAllDay = (definition: CalendarEntryDefinition): boolean =>
  definition.kind === 'holiday' &&
  definition.start.endsWith('T00:00') &&
  /^P(\d+W|\d+D)$/.test(definition.duration);

const describeScope = (scope: CalendarScope): string => {
  const part = (label: string, values?: readonly string[]) =>
    values && values.length > 0 ? `${label}: ${values.join(', ')}` : undefined;
  const parts = [
    part('trains', scope.trains),
    part('teams', scope.teams),
    part('environments', scope.environments),
    part('components', scope.components),
  ].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? 'Applies to everything.' : `Applies to ${parts.join('; ')}.`;
};

const timeProperty = (
  name: string,
  tzid: string | undefined,
  values: readonly Temporal.PlainDateTime[],
  allDay: boolean,
): ICAL.Property => {
  const property = new ICAL.Property(name);
  const times = values.map((v) => {
    if (allDay) return icalDate(v);
    if (tzid === undefined) {
      // UTC: the wall time is the instant.
      return icalUtcTime(v.toZonedDateTime('UTC').epochMilliseconds);
    }
    return icalLocalTime(v);
  });
  if (tzid !== undefined && !allDay) property.setParameter('tzid', tzid);
  if (times.length === 1 && times[0]) property.setValue(times[0]);
  else property.setValues(times);
  return property;
};

const eventOf = (
  entry: CalendarFeedEntry,
  tzid: string | undefined,
  dtstamp: ICAL.Time,
  horizon: { from: number; to: number },
): ICAL.Component => {
  const { definition } = entry;
  const allDay = isAllDay(definition);
  const start = parseLocal('start', definition.start);
  let end: Temporal.PlainDateTime;
  try {
    end = start.add(Temporal.Duration.from(definition.duration));
  } catch {
    throw new ValidationError(
      'duration',
      `duration must be an ISO 8601 duration; got ${definition.duration}`,
    );
  }
  const event = new ICAL.Component('vevent');
  event.addPropertyWithValue('uid', calendarEntryUid(definition.id));
  event.addPropertyWithValue('dtstamp', dtstamp);
  event.addPropertyWithValue('sequence', entry.sequence);
  event.addProperty(timeProperty('dtstart', tzid, [start], allDay));
  event.addProperty(timeProperty('dtend', tzid, [end], allDay));
  if (definition.recurrence) {
    const { rule, exceptions = [], additions = [] } = definition.recurrence;
    event.addPropertyWithValue('rrule', recurrenceRuleFor(rule, definition.zone, allDay, start));
    // One property per date keeps every line short and every client happy.
    const addLocal = (name: 'exdate' | 'rdate', field: string) => (v: string, i: number) => {
      const wall = parseLocal(`${field}[${i}]`, v);
      const time = tzid === undefined || allDay ? wall : unambiguousTime(definition.zone, wall);
      if (typeof time === 'number') event.addPropertyWithValue(name, icalUtcTime(time));
      else event.addProperty(timeProperty(name, tzid, [time], allDay));
    };
    exceptions.forEach(addLocal('exdate', 'recurrence.exceptions'));
    additions.forEach(addLocal('rdate', 'recurrence.additions'));
    if (!allDay) {
      const { exdates, rdates } = policyCorrections(definition, horizon);
      for (const exdate of exdates) event.addPropertyWithValue('exdate', icalUtcTime(exdate));
      for (const rdate of rdates) event.addPropertyWithValue('rdate', icalUtcTime(rdate));
    }
  }
  event.addPropertyWithValue('summary', `${KIND_LABEL[definition.kind]}: ${definition.name}`);
  const categories = new ICAL.Property('categories');
  categories.setValues([KIND_CATEGORY[definition.kind], 'TRAINYARD']);
  event.addProperty(categories);
  event.addPropertyWithValue('description', describeScope(definition.scope));
  event.addPropertyWithValue('status', entry.retired ? 'CANCELLED' : 'CONFIRMED');
  // Windows and freezes are not meetings: they must not make anyone look busy.
  event.addPropertyWithValue('transp', 'TRANSPARENT');
  event.addPropertyWithValue('last-modified', icalUtcTime(instantMs('updatedAt', entry.updatedAt)));
  event.addPropertyWithValue('x-trainyard-kind', definition.kind);
  event.addPropertyWithValue('x-trainyard-zone', definition.zone);
  return event;
};

/**
 * The calendar entries as one RFC 5545 feed (METHOD:PUBLISH) for Outlook, Google Calendar and
 * IT-operations tools: a VEVENT per entry with a stable UID and SEQUENCE, local times with the
 * entry's TZID and a VTIMEZONE for each, recurring windows as RRULE with EXDATE and RDATE,
 * retired entries cancelled, lines folded at 75 octets and ended by CRLF. Pure: `generatedAt`
 * comes from the caller.
 *
 * DST: RFC 5545 reads a wall time in a gap with the offset before the gap and one in an overlap
 * at its first instant, which is the calendar's default policy (gap shift, overlap first); an
 * entry with another policy is corrected by UTC EXDATE/RDATE values over a horizon around
 * `generatedAt`.
 */
export const calendarFeed = (
  entries: readonly CalendarFeedEntry[],
  options: CalendarFeedOptions,
): string => {
  const filter = options.filter ?? {};
  const selected = entries
    .filter((e) => scopeAllows(e.definition.scope, filter))
    .slice()
    .sort((a, b) =>
      a.definition.id < b.definition.id ? -1 : a.definition.id > b.definition.id ? 1 : 0,
    );

  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('prodid', CALENDAR_FEED_PRODID);
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('calscale', 'GREGORIAN');
  calendar.addPropertyWithValue('method', 'PUBLISH');
  calendar.addPropertyWithValue('x-wr-calname', options.calendarName);

  const generatedAt = instantMs('generatedAt', options.generatedAt);
  const dtstamp = icalUtcTime(generatedAt);
  const days = options.policyHorizonDays ?? { before: 365, after: 730 };
  const horizon = {
    from: generatedAt - days.before * DAY_MS,
    to: generatedAt + days.after * DAY_MS,
  };
  const timezones = new Map<string, ICAL.Component>();
  const events: ICAL.Component[] = [];
  for (const entry of selected) {
    const zone = entry.definition.zone;
    let tzid: string | undefined;
    if (!isUtcZone(zone) && !isAllDay(entry.definition)) {
      const vtimezone = vtimezoneOf(zone);
      tzid = vtimezone.tzid;
      if (!timezones.has(tzid)) timezones.set(tzid, vtimezone.component);
    }
    events.push(eventOf(entry, tzid, dtstamp, horizon));
  }
  for (const tzid of [...timezones.keys()].sort()) {
    const component = timezones.get(tzid);
    if (component) calendar.addSubcomponent(component);
  }
  for (const event of events) calendar.addSubcomponent(event);
  return refold(calendar.toString());
};
