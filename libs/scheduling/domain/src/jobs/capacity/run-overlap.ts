import { DEFAULT_JOB_CONCURRENCY, type JobConcurrency } from '../job-manifest';

/**
 * A job's overlap policy (issue 12, item 4) as a pure decision: what happens to a run that comes
 * due while earlier runs of the same job are active, and which buffered run starts when one ends.
 *
 * - Below `maxActiveRuns` every policy starts the run (buffered runs first, oldest first, so a
 *   raised limit or a missed promotion never lets a newer slot overtake an older one).
 * - At the limit: `skip` skips the new run; `buffer-one` buffers it unless one is buffered already
 *   (then it is skipped: Temporal's BUFFER_ONE); `buffer-all` buffers it; `cancel-older` cancels
 *   the oldest active runs, just enough to make room, then starts it; `allow` starts it anyway
 *   (overlap allowed, `maxActiveRuns` does not bound it: Temporal's ALLOW_ALL).
 */

export interface OverlapRun {
  readonly runId: string;
  /** The run's schedule slot (ISO): "older" means an earlier slot, ties by run id. */
  readonly nominalTime: string;
}

export interface JobRunsInFlight {
  /** Runs started and not finished. */
  readonly active: readonly OverlapRun[];
  /** Runs waiting for an active one to end (buffer-one, buffer-all). */
  readonly buffered: readonly OverlapRun[];
}

export type OverlapDecision =
  | { readonly kind: 'start'; readonly promote: readonly string[] }
  | {
      readonly kind: 'skip';
      readonly reason: 'max-active-runs' | 'buffer-full';
      readonly detail: string;
      readonly promote: readonly string[];
    }
  | { readonly kind: 'buffer'; readonly position: number; readonly promote: readonly string[] }
  | {
      readonly kind: 'cancel-older';
      /** Oldest first: cancel these, then start the new run. */
      readonly cancel: readonly string[];
      readonly promote: readonly string[];
    }
  | { readonly kind: 'allow'; readonly promote: readonly string[] };

const older = (a: OverlapRun, b: OverlapRun): number =>
  a.nominalTime < b.nominalTime
    ? -1
    : a.nominalTime > b.nominalTime
      ? 1
      : a.runId < b.runId
        ? -1
        : a.runId > b.runId
          ? 1
          : 0;

const checkConcurrency = (concurrency: JobConcurrency): void => {
  if (!Number.isSafeInteger(concurrency.maxActiveRuns) || concurrency.maxActiveRuns < 1)
    throw new RangeError(
      `concurrency.maxActiveRuns must be a whole number of at least 1; got ${concurrency.maxActiveRuns}`,
    );
};

/** Buffered runs that may start now (oldest first), given the room left. */
const promotable = (concurrency: JobConcurrency, runs: JobRunsInFlight): OverlapRun[] => {
  const room = Math.max(0, concurrency.maxActiveRuns - runs.active.length);
  return [...runs.buffered].sort(older).slice(0, room);
};

/** A run of the job comes due: start it, skip it, buffer it, cancel older runs for it, or allow it. */
export const decideDueRun = (
  concurrency: JobConcurrency = DEFAULT_JOB_CONCURRENCY,
  runs: JobRunsInFlight,
  due: OverlapRun,
): OverlapDecision => {
  checkConcurrency(concurrency);
  const promoted = promotable(concurrency, runs);
  const promote = promoted.map((r) => r.runId);
  const activeAfter = runs.active.length + promoted.length;
  const stillBuffered = runs.buffered.length - promoted.length;
  const max = concurrency.maxActiveRuns;
  if (activeAfter < max && stillBuffered === 0) return { kind: 'start', promote };
  switch (concurrency.overlap) {
    case 'skip':
      return {
        kind: 'skip',
        reason: 'max-active-runs',
        detail: `${due.runId} skipped: ${activeAfter} of at most ${max} runs active; overlap policy skip.`,
        promote,
      };
    case 'buffer-one':
      if (stillBuffered >= 1)
        return {
          kind: 'skip',
          reason: 'buffer-full',
          detail: `${due.runId} skipped: ${activeAfter} of at most ${max} runs active and one run buffered already; overlap policy buffer-one.`,
          promote,
        };
      return { kind: 'buffer', position: 1, promote };
    case 'buffer-all':
      return { kind: 'buffer', position: stillBuffered + 1, promote };
    case 'cancel-older': {
      // The oldest of everything that would run (buffered runs promoted now included): the
      // newest slot is the one that matters under cancel-older.
      const running = [
        ...runs.active,
        ...runs.buffered.filter((b) => promote.includes(b.runId)),
      ].sort(older);
      const excess = running.length - max + 1;
      return {
        kind: 'cancel-older',
        cancel: running.slice(0, Math.max(0, excess)).map((r) => r.runId),
        promote,
      };
    }
    case 'allow':
      return { kind: 'allow', promote };
    default: {
      const unknown: never = concurrency.overlap;
      throw new RangeError(`concurrency.overlap ${String(unknown)} is not known`);
    }
  }
};

/**
 * A run of the job ended (`runs` no longer holds it): the buffered runs that start now, oldest
 * first, as many as the room below `maxActiveRuns` allows.
 */
export const buffersToStart = (
  concurrency: JobConcurrency = DEFAULT_JOB_CONCURRENCY,
  runs: JobRunsInFlight,
): string[] => {
  checkConcurrency(concurrency);
  return promotable(concurrency, runs).map((r) => r.runId);
};
