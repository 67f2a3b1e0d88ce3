import type ICAL from 'ical.js';
import { DAY_MS, dayOfWeek, daysFromCivil } from '../time/civil-date';

/**
 * A fast path for the rules most windows use (HOURLY, DAILY, or WEEKLY with plain weekdays; with
 * INTERVAL, COUNT and a date-time UNTIL), which ical.js iterates at about 75 µs an occurrence and
 * only from the first one. It jumps straight to the asked range. Every other rule goes through
 * ical.js; a property spec holds the two to the same answers.
 */
export interface SimpleRecurrence {
  readonly stepMs: number;
  /** Weekly with BYDAY: the days as offsets from the week start (WKST), ascending. */
  readonly weekDays?: readonly number[];
  readonly weekStartDay: number;
  readonly count?: number;
  /** Local epoch ms, inclusive. */
  readonly until?: number;
}

const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const HOUR_MS = 3_600_000;

export const simpleRecurrence = (rule: ICAL.Recur, text: string): SimpleRecurrence | undefined => {
  const parts = text
    .toUpperCase()
    .split(';')
    .map((p) => p.split('=')[0]);
  const allowed =
    rule.freq === 'WEEKLY'
      ? ['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'WKST', 'BYDAY']
      : ['FREQ', 'INTERVAL', 'COUNT', 'UNTIL'];
  if (!['HOURLY', 'DAILY', 'WEEKLY'].includes(rule.freq)) return undefined;
  if (parts.some((p) => !allowed.includes(p ?? ''))) return undefined;
  if (rule.until && rule.until.isDate) return undefined;
  const byDay = /BYDAY=([^;]*)/i.exec(text)?.[1];
  let weekDays: number[] | undefined;
  const wkst = /WKST=([A-Z]{2})/i.exec(text)?.[1]?.toUpperCase() ?? 'MO';
  const weekStartDay = DAY_CODES.indexOf(wkst);
  if (weekStartDay < 0) return undefined;
  if (byDay !== undefined) {
    const codes = byDay.toUpperCase().split(',');
    if (codes.some((c) => !DAY_CODES.includes(c))) return undefined;
    weekDays = [...new Set(codes.map((c) => (DAY_CODES.indexOf(c) - weekStartDay + 7) % 7))].sort(
      (a, b) => a - b,
    );
  }
  const unit = rule.freq === 'HOURLY' ? HOUR_MS : rule.freq === 'DAILY' ? DAY_MS : 7 * DAY_MS;
  const until = rule.until
    ? daysFromCivil(rule.until) * DAY_MS +
      (rule.until.hour * 3600 + rule.until.minute * 60 + rule.until.second) * 1000
    : undefined;
  return {
    stepMs: unit * rule.interval,
    weekStartDay,
    ...(weekDays ? { weekDays } : {}),
    ...(rule.count !== null ? { count: rule.count } : {}),
    ...(until !== undefined ? { until } : {}),
  };
};

/** Local starts (local epoch ms) in [low, high), ascending, from the first one `startLocal`. */
export const simpleLocalStarts = (
  rule: SimpleRecurrence,
  startLocal: number,
  low: number,
  high: number,
  onEach: (localMs: number) => void,
): void => {
  const last = Math.min(high - 1, rule.until ?? Infinity);
  const count = rule.count ?? Infinity;
  if (!rule.weekDays) {
    const first = Math.max(0, Math.ceil((low - startLocal) / rule.stepMs));
    for (let k = first; k < count; k++) {
      const t = startLocal + k * rule.stepMs;
      if (t > last) return;
      onEach(t);
    }
    return;
  }
  const startDay = Math.floor(startLocal / DAY_MS);
  const timeOfDay = startLocal - startDay * DAY_MS;
  const weekStart = startDay - ((dayOfWeek(startDay) - rule.weekStartDay + 7) % 7);
  const days = rule.weekDays;
  const inFirstWeek = days.filter((d) => weekStart + d >= startDay).length;
  const firstWeek = Math.max(0, Math.floor((low - weekStart * DAY_MS) / rule.stepMs) - 1);
  let index = firstWeek === 0 ? 0 : inFirstWeek + (firstWeek - 1) * days.length;
  for (let w = firstWeek; index < count; w++) {
    const base = weekStart * DAY_MS + w * rule.stepMs + timeOfDay;
    if (base > last) return;
    for (const d of days) {
      const t = base + d * DAY_MS;
      if (t < startLocal) continue;
      if (t > last || index >= count) return;
      index++;
      if (t >= low) onEach(t);
    }
  }
};
