/**
 * The round trip of the feed, for specs only: what an independent parser (node-ical, which
 * expands RRULE with rrule-temporal, not ical.js) reads from the feed, as UTC instants.
 */
import * as nodeIcal from 'node-ical';
import { wallTimeOf } from '../../test-support/intl-wall-clock';

export interface ParsedOccurrence {
  /** UTC epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly allDay: boolean;
}

export interface ParsedEvent {
  readonly uid: string;
  readonly sequence: number;
  readonly status: string | undefined;
  readonly summary: string;
  readonly categories: readonly string[];
  readonly tzid: string | undefined;
  readonly occurrences: readonly ParsedOccurrence[];
}

const text = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : value && typeof value === 'object' && 'val' in value
      ? String(value.val)
      : '';

/**
 * The UTC instant of a local wall time in a zone, found by the runtime's Intl (ICU) only: the
 * earliest instant, over every offset a zone has ever had, that reads that wall time; a wall
 * time in a gap reads with the offset before the gap (RFC 5545 §3.3.5).
 */
export const instantOfWallTime = (local: string, zone: string): number => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(local);
  if (!m) throw new Error(`not a local date-time: ${local}`);
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const matches: number[] = [];
  for (let offset = -14 * 60; offset <= 14 * 60; offset += 15) {
    const candidate = asUtc - offset * 60_000;
    const w = wallTimeOf(candidate, zone);
    if (w.year === y && w.month === mo && w.day === d && w.hour === h && w.minute === mi)
      matches.push(candidate);
  }
  if (matches.length > 0) return Math.min(...matches);
  // A gap: the offset in force before it, i.e. the one an hour before.
  const before = asUtc - 3 * 3_600_000;
  const w = wallTimeOf(before, zone);
  const offsetBefore = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - before;
  return asUtc - offsetBefore;
};

const rdatesOf = (event: nodeIcal.VEvent): { val: string; tzid?: string }[] => {
  const raw = (event as unknown as { rdate?: unknown }).rdate;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.flatMap((r: unknown) => {
    if (typeof r === 'string') return r.split(',').map((val) => ({ val }));
    const o = r as { val: string; params?: { TZID?: string } };
    return o.val.split(',').map((val) => ({ val, tzid: o.params?.TZID }));
  });
};

/** Every VEVENT of `ics` with its occurrences over [from, to], as node-ical expands them. */
export const parseFeedWithNodeIcal = (ics: string, from: Date, to: Date): ParsedEvent[] => {
  const parsed = nodeIcal.sync.parseICS(ics);
  const events: ParsedEvent[] = [];
  for (const component of Object.values(parsed)) {
    if (!component || component.type !== 'VEVENT') continue;
    const event = component;
    const instances = nodeIcal.expandRecurringEvent(event, { from, to });
    const occurrences: ParsedOccurrence[] = instances.map((i) => ({
      start: i.start.getTime(),
      end: i.end.getTime(),
      allDay: i.isFullDay,
    }));
    const tzid = (event.start as { tz?: string }).tz;
    const length = event.end ? event.end.getTime() - event.start.getTime() : 0;
    for (const rdate of rdatesOf(event)) {
      const zone = rdate.tzid ?? tzid;
      const start = rdate.val.endsWith('Z')
        ? Date.parse(
            rdate.val.replace(
              /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
              '$1-$2-$3T$4:$5:$6Z',
            ),
          )
        : instantOfWallTime(rdate.val, zone ?? 'UTC');
      if (start >= from.getTime() && start <= to.getTime())
        occurrences.push({ start, end: start + length, allDay: false });
    }
    occurrences.sort((a, b) => a.start - b.start);
    const categories = (event as { categories?: string[] }).categories ?? [];
    events.push({
      uid: event.uid,
      sequence: Number(event.sequence ?? 0),
      status: event.status,
      summary: text(event.summary),
      categories,
      tzid: tzid === 'Etc/UTC' ? undefined : tzid,
      occurrences,
    });
  }
  return events;
};
