import { ValidationError } from '@trainyard/kernel';
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import {
  DAY_MS,
  MINUTE_MS,
  civilFromDays,
  daysFromCivil,
  formatCivilDate,
  formatUtcInstant,
} from '../time/civil-date';
import { ZoneResolver } from '../time/zone-resolver';
import type { CalendarEntryDefinition, CalendarOccurrence, Interval } from './calendar-entry';
import { validateCalendarEntryDefinition } from './calendar-entry.validation';
import {
  MAX_CALENDAR_OCCURRENCES,
  parseLocalDateTime,
  parseRecurrenceRule,
  parseWallDuration,
  type WallDuration,
} from './calendar-values';
import { simpleLocalStarts, simpleRecurrence, type SimpleRecurrence } from './simple-recurrence';

/**
 * Occurrences of calendar entries (ADR 0011, addendum "calendar entries"). The RRULE is expanded
 * by ical.js over floating (zone-less) local wall times; EXDATE and RDATE are local wall times;
 * each local start is resolved to UTC by the one `ZoneResolver` with the entry's DST policy; the
 * end is the local start plus the duration in wall-clock terms, resolved the same way (a gap
 * shifts forward; in an overlap the first instant after the start).
 */
export interface ExpansionOptions {
  /**
   * Holiday entries by id, for a definition with `holidayRefs`: a freeze also covers their
   * occurrences, a deployment window excludes them. A referenced id missing here is refused.
   */
  readonly holidays?: ReadonlyMap<string, CalendarEntryDefinition>;
  /**
   * `start` (default): the occurrences starting inside [from, to). `overlap`: every occurrence
   * intersecting [from, to) (what placement and conflict checks need).
   */
  readonly mode?: 'start' | 'overlap';
  /** At most this many occurrences (default and ceiling: 100,000), else a `ValidationError` on `to`. */
  readonly maxOccurrences?: number;
  /** `ical` forces ical.js for every rule (specs compare it with the fast path); default `auto`. */
  readonly engine?: Engine;
}

type Engine = 'auto' | 'ical';

/** One resolved occurrence before formatting: UTC and local epoch milliseconds. */
interface RawOccurrence {
  readonly start: number;
  readonly end: number;
  readonly localStart: number;
  readonly localEnd: number;
  readonly zone: string;
  readonly source?: string;
}

/** A definition parsed once, for repeated expansion. */
interface CompiledEntry {
  readonly definition: CalendarEntryDefinition;
  readonly resolver: ZoneResolver;
  readonly startLocalMs: number;
  readonly duration: WallDuration;
  readonly rule?: ICAL.Recur;
  readonly simple?: SimpleRecurrence;
  readonly exceptions: ReadonlySet<number>;
  readonly additions: readonly number[];
}

const END_POLICY = { gap: 'shift', overlap: 'both' } as const;
const ITERATION_CEILING = 1_000_000;

// Memos, not state: a resolver only caches the offsets of its zone, and a compiled entry is a pure
// function of its (immutable) definition. Expanding many entries (placement) then parses each
// definition once and asks Temporal about each zone's transitions once.
const resolvers = new Map<string, ZoneResolver>();
const resolverFor = (zone: string): ZoneResolver => {
  let resolver = resolvers.get(zone);
  if (!resolver) {
    resolver = ZoneResolver.for(zone);
    if (resolvers.size > 1_000) resolvers.clear();
    resolvers.set(zone, resolver);
  }
  return resolver;
};
const compiled: Record<Engine, WeakMap<CalendarEntryDefinition, CompiledEntry>> = {
  auto: new WeakMap(),
  ical: new WeakMap(),
};

const compile = (definition: CalendarEntryDefinition, engine: Engine): CompiledEntry => {
  const known = compiled[engine].get(definition);
  if (known) return known;
  const entry = compileNew(definition, engine);
  compiled[engine].set(definition, entry);
  return entry;
};

const compileNew = (definition: CalendarEntryDefinition, engine: Engine): CompiledEntry => {
  validateCalendarEntryDefinition(definition);
  const recurrence = definition.recurrence;
  const rule = recurrence ? parseRecurrenceRule('recurrence.rule', recurrence.rule) : undefined;
  const simple = rule && engine === 'auto' ? simpleRecurrence(rule, recurrence!.rule) : undefined;
  return {
    ...(simple ? { simple } : {}),
    definition,
    resolver: resolverFor(definition.zone),
    startLocalMs: parseLocalDateTime('start', definition.start).localMs,
    duration: parseWallDuration('duration', definition.duration),
    ...(rule ? { rule } : {}),
    exceptions: new Set(
      (recurrence?.exceptions ?? []).map(
        (e, i) => parseLocalDateTime(`exceptions[${i}]`, e).localMs,
      ),
    ),
    additions: (recurrence?.additions ?? [])
      .map((a, i) => parseLocalDateTime(`additions[${i}]`, a).localMs)
      .sort((a, b) => a - b),
  };
};

const tooMany = (limit: number) =>
  new ValidationError(
    'to',
    `to is too far from from: the range would produce more than ${limit} occurrences.`,
  );

const assertRange = (fromMs: number, toMs: number): void => {
  if (!Number.isFinite(fromMs)) throw new ValidationError('from', 'from must be an instant.');
  if (!Number.isFinite(toMs)) throw new ValidationError('to', 'to must be an instant.');
  if (toMs < fromMs) throw new ValidationError('to', 'to must not be before from.');
};

const floatingTime = (localMs: number): ICAL.Time => {
  const days = Math.floor(localMs / DAY_MS);
  const minute = Math.round((localMs - days * DAY_MS) / MINUTE_MS);
  const { year, month, day } = civilFromDays(days);
  return ICAL.Time.fromData({
    year,
    month,
    day,
    hour: Math.floor(minute / 60),
    minute: minute % 60,
    second: 0,
    isDate: false,
  });
};

const localMsOf = (time: ICAL.Time): number =>
  daysFromCivil(time) * DAY_MS + (time.hour * 60 + time.minute) * MINUTE_MS;

/** Local starts (wall time as UTC ms) of the entry inside [lowLocal, highLocal), ascending. */
const localStarts = (
  entry: CompiledEntry,
  lowLocal: number,
  highLocal: number,
  limit: number,
  earlyLimit: number,
): number[] => {
  const starts: number[] = [];
  const inWindow = (t: number) => t >= lowLocal && t < highLocal;
  if (!entry.rule) {
    if (inWindow(entry.startLocalMs)) starts.push(entry.startLocalMs);
  } else if (entry.simple) {
    simpleLocalStarts(entry.simple, entry.startLocalMs, lowLocal, highLocal, (t) => {
      if (!entry.exceptions.has(t)) starts.push(t);
      if (starts.length > earlyLimit) throw tooMany(limit);
    });
  } else {
    const iterator = entry.rule.iterator(floatingTime(entry.startLocalMs));
    let scanned = 0;
    for (let next = iterator.next(); next; next = iterator.next()) {
      const t = localMsOf(next);
      if (t >= highLocal) break;
      if (++scanned > ITERATION_CEILING)
        throw new ValidationError(
          'from',
          `from is too far after the entry's start: more than ${ITERATION_CEILING} recurrences precede it.`,
        );
      if (inWindow(t) && !entry.exceptions.has(t)) starts.push(t);
      if (starts.length > earlyLimit) throw tooMany(limit);
    }
  }
  for (const t of entry.additions)
    if (inWindow(t) && !entry.exceptions.has(t) && !starts.includes(t)) starts.push(t);
  return starts.sort((a, b) => a - b);
};

const addWallDuration = (localMs: number, duration: WallDuration): number => {
  if (duration.fixed) return localMs + duration.days * DAY_MS + duration.timeMs;
  const days = Math.floor(localMs / DAY_MS);
  const date = Temporal.PlainDate.from(formatCivilDate(civilFromDays(days))).add({
    years: duration.years,
    months: duration.months,
    days: duration.days,
  });
  return daysFromCivil(date) * DAY_MS + (localMs - days * DAY_MS) + duration.timeMs;
};

const resolveOccurrences = (
  entry: CompiledEntry,
  lowLocal: number,
  highLocal: number,
  limit: number,
  earlyLimit: number,
): RawOccurrence[] => {
  const { resolver, definition } = entry;
  const out: RawOccurrence[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const localStart of localStarts(entry, lowLocal, highLocal, limit, earlyLimit)) {
    const localEnd = addWallDuration(localStart, entry.duration);
    starts.length = 0;
    ends.length = 0;
    resolver.resolveLocal(localStart, definition.dstPolicy, starts);
    if (starts.length === 0) continue;
    resolver.resolveLocal(localEnd, END_POLICY, ends);
    for (const start of starts) {
      // The first instant reading the local end after the start; a start shifted out of a gap
      // whose end reads no later keeps its nominal wall length instead of collapsing.
      const end = ends.find((e) => e > start) ?? start + (localEnd - localStart);
      out.push({ start, end, localStart, localEnd, zone: definition.zone });
    }
  }
  return out;
};

const overlaps = (o: { start: number; end: number }, fromMs: number, toMs: number) =>
  o.end > fromMs && o.start < toMs;

const expandRaw = (
  definition: CalendarEntryDefinition,
  fromMs: number,
  toMs: number,
  options: ExpansionOptions,
): RawOccurrence[] => {
  assertRange(fromMs, toMs);
  const entry = compile(definition, options.engine ?? 'auto');
  const mode = options.mode ?? 'start';
  const limit = Math.min(
    options.maxOccurrences ?? MAX_CALENDAR_OCCURRENCES,
    MAX_CALENDAR_OCCURRENCES,
  );
  // Offsets lie within a day of UTC; in overlap mode an occurrence may start a duration earlier.
  const lowLocal = fromMs - DAY_MS - (mode === 'overlap' ? entry.duration.maxMs : 0);
  const highLocal = toMs + DAY_MS;
  // More local starts than the limit plus the most the widened margins can hold (60 an hour,
  // BYMINUTE's ceiling) cannot fit: refuse before resolving any.
  const marginHours = Math.ceil((highLocal - lowLocal - (toMs - fromMs)) / 3_600_000);
  const earlyLimit = limit + 60 * marginHours + entry.additions.length;
  let raw = resolveOccurrences(entry, lowLocal, highLocal, limit, earlyLimit);
  const holidays = holidayOccurrences(entry.definition, fromMs, toMs, options);
  if (definition.kind === 'freeze') raw = raw.concat(holidays);
  else if (definition.kind === 'deployment-window' && holidays.length > 0)
    raw = subtract(raw, holidays, entry.resolver);
  const kept = raw
    .filter((o) =>
      mode === 'overlap' ? overlaps(o, fromMs, toMs) : o.start >= fromMs && o.start < toMs,
    )
    .sort((a, b) => a.start - b.start || b.end - a.end || b.localStart - a.localStart);
  // Identical instants count once (a wall time shifted out of a gap meets the next real one, as on
  // Apia's missing 30 December 2011; a holiday repeats a freeze): the longest is kept, and of equal
  // ones the one whose local start really exists.
  const unique = kept.filter((o, i) => i === 0 || o.start !== kept[i - 1]!.start);
  if (unique.length > limit) throw tooMany(limit);
  return unique;
};

const holidayOccurrences = (
  definition: CalendarEntryDefinition,
  fromMs: number,
  toMs: number,
  options: ExpansionOptions,
): RawOccurrence[] =>
  (definition.holidayRefs ?? []).flatMap((ref) => {
    const holiday = options.holidays?.get(ref);
    if (!holiday || holiday.kind !== 'holiday')
      throw new ValidationError(
        'holidayRefs',
        `holidayRefs names ${ref}, which is not a holiday entry.`,
      );
    return expandRaw(holiday, fromMs, toMs, { mode: 'overlap' }).map((o) => ({
      ...o,
      source: ref,
    }));
  });

/** The parts of `windows` outside every holiday; pieces read their local times in the window's zone. */
const subtract = (
  windows: readonly RawOccurrence[],
  holidays: readonly RawOccurrence[],
  resolver: ZoneResolver,
): RawOccurrence[] => {
  const blocked = [...holidays].sort((a, b) => a.start - b.start);
  const out: RawOccurrence[] = [];
  for (const window of windows) {
    let cursor = window.start;
    for (const h of blocked) {
      if (h.end <= cursor || h.start >= window.end) continue;
      if (h.start > cursor) out.push(piece(window, cursor, h.start, resolver));
      cursor = Math.max(cursor, h.end);
    }
    if (cursor < window.end) out.push(piece(window, cursor, window.end, resolver));
  }
  return out;
};

const piece = (
  window: RawOccurrence,
  start: number,
  end: number,
  resolver: ZoneResolver,
): RawOccurrence =>
  start === window.start && end === window.end
    ? window
    : {
        ...window,
        start,
        end,
        localStart: resolver.localMsAt(start),
        localEnd: resolver.localMsAt(end),
      };

const formatLocal = (localMs: number): string => formatUtcInstant(localMs).slice(0, 16);

/**
 * The occurrences of `definition` in [fromMs, toMs) (see `ExpansionOptions.mode`), ascending by
 * start, with UTC instants `YYYY-MM-DDTHH:MM:SSZ` and local wall times `YYYY-MM-DDTHH:MM`. Refuses
 * an invalid definition, and a range of more than 100,000 occurrences, with a `ValidationError`.
 */
export const expandOccurrences = (
  definition: CalendarEntryDefinition,
  fromMs: number,
  toMs: number,
  options: ExpansionOptions = {},
): CalendarOccurrence[] =>
  expandRaw(definition, fromMs, toMs, options).map((o) => ({
    entryId: definition.id,
    start: formatUtcInstant(o.start),
    end: formatUtcInstant(o.end),
    localStart: formatLocal(o.localStart),
    localEnd: formatLocal(o.localEnd),
    zone: o.zone,
    ...(o.source ? { source: o.source } : {}),
  }));

/** The same occurrences as half-open UTC intervals in epoch milliseconds: placement's fast path. */
export const expandIntervals = (
  definition: CalendarEntryDefinition,
  fromMs: number,
  toMs: number,
  options: ExpansionOptions = {},
): Interval[] =>
  expandRaw(definition, fromMs, toMs, options).map(({ start, end }) => ({ start, end }));
