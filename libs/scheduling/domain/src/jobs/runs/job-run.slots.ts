import type { CronJobSchedule, JobSchedule } from '../job-manifest';
import { PREVIEW_MAX_INSTANTS, previewSchedule } from '../../preview/schedule-preview';
import type { RunTrigger } from './job-run.events';

/**
 * Schedule slots for the scheduler tick (issue 12, items 3, 5, 6): which nominal times came due
 * since a job's high-water mark, and whether each fires on time, as a catch-up, or is recorded
 * missed. Pure; the tick inserts them with ON CONFLICT DO NOTHING on (job, nominal time).
 */

/** At most this many slots per job and tick: a long downtime is worked off over several ticks. */
export const MAX_SLOTS_PER_TICK = 1_000;

/**
 * Nominal times in (afterMs, untilMs], ascending, at most `max`. Cron: the zone and DST policy of
 * part 1 (the one resolver, ADR 0011); interval: multiples of `everySeconds` since the epoch, so
 * every instance computes the same slots.
 */
export const dueSlots = (
  schedule: JobSchedule,
  afterMs: number,
  untilMs: number,
  max = MAX_SLOTS_PER_TICK,
): number[] => {
  if (untilMs <= afterMs) return [];
  if ('everySeconds' in schedule) {
    const step = schedule.everySeconds * 1000;
    const out: number[] = [];
    for (
      let t = Math.floor(afterMs / step) * step + step;
      t <= untilMs && out.length < max;
      t += step
    )
      out.push(t);
    return out;
  }
  const out: number[] = [];
  // Day-long windows of instants, cached per schedule: a tick asks for the second or so since the
  // high-water mark, and must not recompute a day of instants for each of a thousand jobs.
  for (let windowFrom = afterMs; windowFrom < untilMs && out.length < max;) {
    const window = cronWindow(schedule, windowFrom);
    for (let i = firstAfter(window.instants, afterMs); i < window.instants.length; i++) {
      const t = window.instants[i] as number;
      if (t > untilMs || out.length >= max) break;
      out.push(t);
    }
    windowFrom = window.toMs;
  }
  return out;
};

const DAY_MS = 86_400_000;
const WINDOW_CACHE_LIMIT = 10_000;

interface CronWindow {
  /** Every instant in (fromMs, toMs], ascending. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly instants: readonly number[];
}
const cronWindows = new Map<string, CronWindow>();

/** The cached window holding `afterMs`, or a new one of a day from it (the preview's resolver). */
const cronWindow = (schedule: CronJobSchedule, afterMs: number): CronWindow => {
  const key = `${schedule.cron}|${schedule.zone}|${schedule.gap ?? ''}|${schedule.overlap ?? ''}`;
  const cached = cronWindows.get(key);
  if (cached && cached.fromMs <= afterMs && afterMs < cached.toMs) return cached;
  // The preview works on whole seconds: widen to the second and filter exactly.
  const fromMs = Math.floor(afterMs / 1000) * 1000;
  const toMs = fromMs + DAY_MS;
  const { instants } = previewSchedule(
    {
      cron: schedule.cron,
      zone: schedule.zone,
      from: new Date(fromMs).toISOString().replace(/\.\d+Z$/, 'Z'),
      to: new Date(toMs).toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(schedule.gap ? { gap: schedule.gap } : {}),
      ...(schedule.overlap ? { overlap: schedule.overlap } : {}),
    },
    PREVIEW_MAX_INSTANTS,
  );
  const window: CronWindow = {
    fromMs: afterMs,
    toMs,
    instants: instants.map((i) => Date.parse(i)).filter((t) => t > afterMs && t <= toMs),
  };
  if (cronWindows.size >= WINDOW_CACHE_LIMIT) cronWindows.delete(cronWindows.keys().next().value!);
  cronWindows.set(key, window);
  return window;
};

/** Index of the first instant greater than `t` (binary search). */
const firstAfter = (instants: readonly number[], t: number): number => {
  let lo = 0;
  let hi = instants.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((instants[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export type SlotVerdict =
  { readonly kind: 'fire'; readonly trigger: RunTrigger } | { readonly kind: 'missed' };

/**
 * A slot found `lagMs` after its nominal time: on time within `graceMs` (a tick's normal lag),
 * a catch-up within the job's `catchUpSeconds`, else missed (recorded JobRunMissed, never silent).
 */
export const slotVerdict = (
  lagMs: number,
  catchUpSeconds: number,
  graceMs: number,
): SlotVerdict => {
  if (lagMs <= graceMs) return { kind: 'fire', trigger: 'schedule' };
  if (lagMs <= catchUpSeconds * 1000) return { kind: 'fire', trigger: 'catch-up' };
  return { kind: 'missed' };
};

/** `<job>@<nominal time ISO>`: the idempotency key of a scheduled run. */
export const slotIdempotencyKey = (job: string, nominalMs: number): string =>
  `${job}@${new Date(nominalMs).toISOString()}`;
