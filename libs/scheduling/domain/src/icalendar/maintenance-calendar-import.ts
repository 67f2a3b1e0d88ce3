import { ValidationError, validateAll } from '@trainyard/kernel';
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import type { CalendarEntryDefinition, CalendarRecurrence } from '../calendar/calendar-entry';
import type { DstPolicy } from '../time/dst-policy';
import { validateCalendarEntryDefinition } from '../calendar/calendar-entry.validation';
import { daysFromCivil } from '../time/civil-date';
import { ZoneResolver } from '../time/zone-resolver';
import { formatLocal } from './ical-text';

/**
 * Where an imported event names the components it maintains. ITSM tools differ: CATEGORIES
 * (optionally only those with a prefix, e.g. `component:`), LOCATION, an extension property
 * (`X-COMPONENT`), each comma-separated; or every event of the calendar maintains the same ones.
 * `fallback` applies to an event that names none.
 */
export type ComponentMappingRule =
  | {
      readonly from: 'categories';
      readonly prefix?: string;
      readonly fallback?: readonly string[];
    }
  | { readonly from: 'location'; readonly fallback?: readonly string[] }
  | {
      readonly from: 'property';
      readonly property: string;
      readonly fallback?: readonly string[];
    }
  | { readonly from: 'fixed'; readonly components: readonly string[] };

export interface MaintenanceCalendarImportOptions {
  /** The zone of floating times and all-day events (an IANA name). */
  readonly defaultZone: string;
  readonly components: ComponentMappingRule;
  /** Prefix of the calendar-entry ids the events become (`ics.<source>`), unique per source. */
  readonly idPrefix: string;
  /** DST policy of the imported windows; default gap shift, overlap first, as RFC 5545 reads. */
  readonly dstPolicy?: DstPolicy;
}

/** One event of an imported calendar as a maintenance-window definition. */
export interface ImportedMaintenanceWindow {
  /** The event's UID; a modified instance is `<UID>#<RECURRENCE-ID local>`. */
  readonly uid: string;
  readonly sequence: number;
  /** STATUS:CANCELLED: the window no longer applies. */
  readonly cancelled: boolean;
  readonly definition: CalendarEntryDefinition;
}

const DEFAULT_POLICY: DstPolicy = { gap: 'shift', overlap: 'first' };
const MAX_TEXT = 200;
const SUPPORTED_RULE_PART =
  /^(FREQ|INTERVAL|UNTIL|COUNT|BYMINUTE|BYHOUR|BYDAY|BYMONTHDAY|BYYEARDAY|BYWEEKNO|BYMONTH|BYSETPOS|WKST)=/i;

/** A UID as calendar-entry id characters plus a hash of the whole UID (no two UIDs collide by cleaning). */
export const importedEntryId = (idPrefix: string, uid: string): string => {
  const cleaned = uid
    .replace(/[^A-Za-z0-9._:-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 80);
  return `${idPrefix}.${cleaned}${cleaned === '' ? '' : '.'}${fnv1a64(uid)}`;
};

// FNV-1a, 64 bits as two 32-bit halves: stable, pure, enough to keep cleaned UIDs apart.
const fnv1a64 = (text: string): string => {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
};

const cleanText = (value: string): string =>
  value
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .trim()
    .slice(0, MAX_TEXT)
    .replace(/[\uD800-\uDBFF]$/, '');

const isIanaZone = (zone: string): boolean => {
  try {
    ZoneResolver.for(zone);
    return true;
  } catch {
    return false;
  }
};

/**
 * An event's TZID as an IANA zone: as given, or the IANA name some exporters prefix with a path
 * (`/mozilla.org/20050126_1/Europe/Berlin`); anything else is refused naming the event.
 */
const ianaZoneOf = (tzid: string, uid: string): string => {
  if (isIanaZone(tzid)) return tzid;
  const suffix = /([A-Za-z_]+\/[A-Za-z_+-]+(?:\/[A-Za-z_+-]+)?)$/.exec(tzid)?.[1];
  if (suffix !== undefined && isIanaZone(suffix)) return suffix;
  throw new ValidationError(
    'content',
    `The event ${uid} uses the time zone ${tzid}, which is not an IANA time zone name.`,
  );
};

interface Reading {
  /** The wall time in `zone`. */
  readonly wall: Temporal.PlainDateTime;
  readonly zone: string;
  readonly allDay: boolean;
}

/** A DATE or DATE-TIME property value read as a wall time in the zone it names. */
const readTime = (
  property: ICAL.Property,
  value: ICAL.Time,
  defaultZone: string,
  uid: string,
): Reading => {
  const wall = Temporal.PlainDateTime.from({
    year: value.year,
    month: value.month,
    day: value.day,
    hour: value.isDate ? 0 : value.hour,
    minute: value.isDate ? 0 : value.minute,
  });
  if (value.isDate) return { wall, zone: defaultZone, allDay: true };
  const tzid = property.getParameter('tzid');
  if (typeof tzid === 'string' && tzid !== '')
    return { wall, zone: ianaZoneOf(tzid, uid), allDay: false };
  if (value.zone === ICAL.Timezone.utcTimezone) return { wall, zone: 'UTC', allDay: false };
  return { wall, zone: defaultZone, allDay: false };
};

/** The wall time a reading names, seen in another zone (UTC and other TZIDs become the event's zone). */
const wallIn = (reading: Reading, zone: string, policy: DstPolicy): Temporal.PlainDateTime => {
  if (reading.zone === zone || reading.allDay) return reading.wall;
  const instants: number[] = [];
  const { year, month, day } = reading.wall;
  const date = { year, month, day };
  ZoneResolver.for(reading.zone).resolveDay(
    date,
    daysFromCivil(date),
    [reading.wall.hour * 60 + reading.wall.minute],
    policy,
    instants,
  );
  const instant = instants[0] ?? 0;
  return Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(zone).toPlainDateTime();
};

const componentsOf = (event: ICAL.Component, rule: ComponentMappingRule): string[] => {
  const split = (values: unknown[]): string[] =>
    values
      .flatMap((v) => (typeof v === 'string' ? v.split(',') : []))
      .map(cleanText)
      .filter((v) => v !== '');
  let found: string[];
  switch (rule.from) {
    case 'fixed':
      return [...rule.components];
    case 'categories': {
      const values = split(
        event.getAllProperties('categories').flatMap((p): unknown[] => p.getValues()),
      );
      found =
        rule.prefix === undefined
          ? values
          : values
              .filter((v) => v.toLowerCase().startsWith(rule.prefix!.toLowerCase()))
              .map((v) => v.slice(rule.prefix!.length).trim())
              .filter((v) => v !== '');
      break;
    }
    case 'location':
      found = split(event.getAllProperties('location').flatMap((p): unknown[] => p.getValues()));
      break;
    case 'property':
      found = split(
        event
          .getAllProperties(rule.property.toLowerCase())
          .flatMap((p): unknown[] => p.getValues()),
      );
      break;
  }
  const unique = [...new Set(found)];
  return unique.length > 0 ? unique : [...(rule.fallback ?? [])];
};

const wallDuration = (from: Temporal.PlainDateTime, to: Temporal.PlainDateTime): string =>
  from.until(to, { largestUnit: 'days' }).toString();

const durationOf = (
  event: ICAL.Component,
  start: Reading,
  defaultZone: string,
  policy: DstPolicy,
  uid: string,
): string => {
  const dtend = event.getFirstProperty('dtend');
  const endValue = dtend?.getFirstValue();
  if (dtend && endValue instanceof ICAL.Time) {
    const end = readTime(dtend, endValue, defaultZone, uid);
    const endWall = wallIn(end, start.zone, policy);
    if (Temporal.PlainDateTime.compare(endWall, start.wall) <= 0)
      throw new ValidationError('content', `The event ${uid} ends before it starts.`);
    return wallDuration(start.wall, endWall);
  }
  const duration = event.getFirstPropertyValue('duration');
  if (duration instanceof ICAL.Duration) {
    if (duration.isNegative || duration.toSeconds() <= 0)
      throw new ValidationError('content', `The event ${uid} has a DURATION that is not positive.`);
    return wallDuration(start.wall, start.wall.add({ seconds: duration.toSeconds() }));
  }
  if (start.allDay) return 'P1D';
  throw new ValidationError(
    'content',
    `The event ${uid} has neither DTEND nor DURATION; a maintenance window needs a length.`,
  );
};

/** The RRULE in the calendar's vocabulary: UNTIL as a local date or date-time in the event's zone. */
const ruleOf = (recur: ICAL.Recur, start: Reading, uid: string): string => {
  const parts = recur
    .toString()
    .split(';')
    .filter((part) => part !== '');
  for (const part of parts)
    if (!SUPPORTED_RULE_PART.test(part) || /^FREQ=(SECONDLY|MINUTELY)$/i.test(part))
      throw new ValidationError(
        'content',
        `The event ${uid} has a recurrence part ${part} that maintenance windows do not support.`,
      );
  return parts
    .map((part) => {
      const until = /^UNTIL=(\d{8})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/i.exec(part);
      if (!until || until[2] === undefined) return part;
      if (until[5] === undefined) return `UNTIL=${until[1]}T${until[2]}${until[3]}${until[4]}`;
      // UTC → the event's wall time, so the definition keeps one zone.
      const instant = Temporal.Instant.from(
        `${until[1]?.slice(0, 4)}-${until[1]?.slice(4, 6)}-${until[1]?.slice(6, 8)}T${until[2]}:${until[3]}:${until[4]}Z`,
      );
      const wall = instant.toZonedDateTimeISO(start.zone).toPlainDateTime();
      const pad = (n: number) => String(n).padStart(2, '0');
      return `UNTIL=${String(wall.year).padStart(4, '0')}${pad(wall.month)}${pad(wall.day)}T${pad(wall.hour)}${pad(wall.minute)}${pad(wall.second)}`;
    })
    .join(';');
};

const localTimesOf = (
  event: ICAL.Component,
  name: 'exdate' | 'rdate',
  start: Reading,
  defaultZone: string,
  policy: DstPolicy,
  uid: string,
): string[] =>
  event.getAllProperties(name).flatMap((property) =>
    property
      .getValues()
      .map((v: unknown) => (v instanceof ICAL.Period ? v.start : v))
      .filter((v: unknown): v is ICAL.Time => v instanceof ICAL.Time)
      .map((value: ICAL.Time) => {
        const reading = readTime(property, value, defaultZone, uid);
        // A DATE exception of a timed event names that day at the event's time.
        const wall =
          reading.allDay && !start.allDay
            ? reading.wall.with({ hour: start.wall.hour, minute: start.wall.minute })
            : wallIn(reading, start.zone, policy);
        return formatLocal(wall);
      }),
  );

const uidOf = (event: ICAL.Component, index: number): string => {
  const uid = event.getFirstPropertyValue('uid');
  return typeof uid === 'string' && uid.trim() !== '' ? uid.trim() : `(event ${index + 1}, no UID)`;
};

/**
 * A maintenance calendar exported by an ITSM tool (`.ics`) as maintenance-window definitions:
 * each VEVENT keeps its TZID and nominal local times, RRULE, EXDATE and RDATE; UTC-only events
 * keep zone `UTC`; floating times read in `defaultZone`; all-day events are whole local days in
 * `defaultZone`; a modified instance (RECURRENCE-ID) becomes an exception of its series plus a
 * window of its own. An event without DTSTART, a length, a component or a supported rule refuses
 * the whole calendar with a `ValidationError` naming its UID: nothing is half-imported. Pure.
 */
export const parseMaintenanceCalendar = (
  icsText: string,
  options: MaintenanceCalendarImportOptions,
): ImportedMaintenanceWindow[] => {
  const defaultZone = ZoneResolver.for(options.defaultZone, 'defaultZone').zone;
  const policy = options.dstPolicy ?? DEFAULT_POLICY;
  if (typeof icsText !== 'string' || !/BEGIN:VCALENDAR/i.test(icsText))
    throw new ValidationError('content', 'content must be an iCalendar text (BEGIN:VCALENDAR).');
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(icsText) as unknown[]);
  } catch (error) {
    throw new ValidationError(
      'content',
      `content is not a valid iCalendar text: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  const calendars = root.name === 'vcalendar' ? [root] : root.getAllSubcomponents('vcalendar');
  const events = calendars.flatMap((c) => c.getAllSubcomponents('vevent'));

  const windows = new Map<string, ImportedMaintenanceWindow>();
  const overrideExceptions = new Map<string, string[]>();
  events.forEach((event, index) => {
    const uid = uidOf(event, index);
    const dtstart = event.getFirstProperty('dtstart');
    const startValue = dtstart?.getFirstValue();
    if (!dtstart || !(startValue instanceof ICAL.Time))
      throw new ValidationError('content', `The event ${uid} has no DTSTART.`);
    const start = readTime(dtstart, startValue, defaultZone, uid);
    const components = componentsOf(event, options.components);
    if (components.length === 0)
      throw new ValidationError(
        'content',
        `The event ${uid} names no component and the mapping has no fallback.`,
      );
    const sequenceValue = event.getFirstPropertyValue('sequence');
    const sequence = typeof sequenceValue === 'number' && sequenceValue >= 0 ? sequenceValue : 0;
    const status = event.getFirstPropertyValue('status');
    const cancelled = typeof status === 'string' && status.toUpperCase() === 'CANCELLED';
    const summary = event.getFirstPropertyValue('summary');
    const name = cleanText(typeof summary === 'string' ? summary : '') || uid.slice(0, MAX_TEXT);

    const recurrenceIdProperty = event.getFirstProperty('recurrence-id');
    const recurrenceIdValue = recurrenceIdProperty?.getFirstValue();
    let key = uid;
    if (recurrenceIdProperty && recurrenceIdValue instanceof ICAL.Time) {
      const original = readTime(recurrenceIdProperty, recurrenceIdValue, defaultZone, uid);
      const originalLocal = formatLocal(original.wall);
      key = `${uid}#${originalLocal}`;
      overrideExceptions.set(uid, [
        ...(overrideExceptions.get(uid) ?? []),
        `${original.zone}|${originalLocal}`,
      ]);
    }

    const rrule = key === uid ? event.getFirstPropertyValue('rrule') : null;
    let recurrence: CalendarRecurrence | undefined;
    if (rrule instanceof ICAL.Recur) {
      const exceptions = localTimesOf(event, 'exdate', start, defaultZone, policy, uid);
      const additions = localTimesOf(event, 'rdate', start, defaultZone, policy, uid);
      recurrence = {
        rule: ruleOf(rrule, start, uid),
        ...(exceptions.length > 0 ? { exceptions: [...new Set(exceptions)].sort() } : {}),
        ...(additions.length > 0 ? { additions: [...new Set(additions)].sort() } : {}),
      };
    }
    const definition: CalendarEntryDefinition = {
      id: importedEntryId(options.idPrefix, key),
      kind: 'maintenance-window',
      name,
      zone: start.zone,
      start: formatLocal(start.wall),
      duration: durationOf(event, start, defaultZone, policy, uid),
      ...(recurrence ? { recurrence } : {}),
      dstPolicy: policy,
      scope: { components },
    };
    windows.set(key, { uid: key, sequence, cancelled, definition });
  });

  // A modified instance replaces its occurrence in the series: the series excepts it.
  for (const [uid, originals] of overrideExceptions) {
    const series = windows.get(uid);
    if (!series?.definition.recurrence) continue;
    const { recurrence } = series.definition;
    const extra = originals.map((o) => {
      const [zone = '', local = ''] = o.split('|');
      if (zone === series.definition.zone) return local;
      const wall = wallIn(
        { wall: Temporal.PlainDateTime.from(local), zone, allDay: false },
        series.definition.zone,
        policy,
      );
      return formatLocal(wall);
    });
    windows.set(uid, {
      ...series,
      definition: {
        ...series.definition,
        recurrence: {
          ...recurrence,
          exceptions: [...new Set([...(recurrence.exceptions ?? []), ...extra])].sort(),
        },
      },
    });
  }
  // Every window must be a calendar entry the calendar accepts, or nothing is imported; every
  // refused window is named (validateAll), not just the first.
  validateAll(
    ...[...windows.values()].map((window) => () => {
      try {
        validateCalendarEntryDefinition(window.definition);
      } catch (error) {
        const uid = window.uid.split('#')[0] ?? window.uid;
        throw new ValidationError(
          'content',
          `The event ${uid} is not a valid maintenance window: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }),
  );
  return [...windows.values()].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
};
