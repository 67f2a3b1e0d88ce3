import type { JobConcurrency, JobSchedule } from '../job-manifest';
import { previewSchedule } from '../../preview/schedule-preview';
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
  // The preview works on whole seconds: widen to the second and filter exactly.
  const from = new Date(Math.floor(afterMs / 1000) * 1000).toISOString();
  const to = new Date(Math.floor(untilMs / 1000) * 1000 + 999).toISOString();
  const { instants } = previewSchedule(
    {
      cron: schedule.cron,
      zone: schedule.zone,
      from: from.replace(/\.\d+Z$/, 'Z'),
      to: to.replace(/\.\d+Z$/, 'Z'),
      ...(schedule.gap ? { gap: schedule.gap } : {}),
      ...(schedule.overlap ? { overlap: schedule.overlap } : {}),
    },
    Math.max(max * 4, 1_000),
  );
  return instants
    .map((i) => Date.parse(i))
    .filter((t) => t > afterMs && t <= untilMs)
    .slice(0, max);
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

export const DEFAULT_CONCURRENCY: JobConcurrency = { maxActiveRuns: 1, overlap: 'skip' };

/**
 * The runtime's minimal overlap decider until the capacity decider (libs/scheduling/domain/src/
 * jobs/capacity, jobs-capacity) replaces it: a new slot starts while fewer than `maxActiveRuns`
 * runs are active, or always under `allow`; otherwise it is skipped (the `skip` default — the
 * buffering and cancel-older policies are theirs).
 */
export const decideOverlapMinimal = (
  concurrency: JobConcurrency | undefined,
  activeRuns: number,
): { readonly kind: 'start' } | { readonly kind: 'skip'; readonly detail: string } => {
  const c = concurrency ?? DEFAULT_CONCURRENCY;
  if (c.overlap === 'allow' || activeRuns < c.maxActiveRuns) return { kind: 'start' };
  return {
    kind: 'skip',
    detail: `${activeRuns} active run(s), maxActiveRuns ${c.maxActiveRuns}, overlap ${c.overlap}`,
  };
};

/** `<job>@<nominal time ISO>`: the idempotency key of a scheduled run. */
export const slotIdempotencyKey = (job: string, nominalMs: number): string =>
  `${job}@${new Date(nominalMs).toISOString()}`;
