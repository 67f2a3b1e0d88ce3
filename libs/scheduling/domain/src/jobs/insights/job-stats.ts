// What the job-insight queries (issue 12, item 5) make of a job's runs over a window of days: the
// read model counts and ranks (exact nearest-rank percentiles in SQL), this folds the counts into
// the figures callers see.

/** One job's runs over the window, as the read model counts them. */
export interface JobRunCounts {
  readonly job: string;
  readonly owner: string | null;
  readonly currentVersion: number | null;
  readonly runs: number;
  /** Runs with a finish time (any outcome). */
  readonly finished: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Cancelled or stopped. */
  readonly cancelled: number;
  readonly skipped: number;
  readonly missed: number;
  /** Scheduled, deferred or running now. */
  readonly active: number;
  readonly durationP50Ms: number | null;
  readonly durationP95Ms: number | null;
  readonly slaMisses: number;
  readonly predictedLate: number;
  readonly lastSuccessAt: string | null;
  readonly lastRunAt: string | null;
}

export interface JobStats {
  readonly job: string;
  readonly owner: string | null;
  readonly currentVersion: number | null;
  readonly windowDays: number;
  readonly runs: number;
  readonly finished: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly skipped: number;
  readonly missed: number;
  /** failed / finished in the window; null without finished runs. */
  readonly failureRate: number | null;
  /** Nearest-rank percentiles of the succeeded runs' durations in the window. */
  readonly durationP50Ms: number | null;
  readonly durationP95Ms: number | null;
  readonly slaMisses: number;
  readonly predictedLate: number;
  readonly lastSuccessAt: string | null;
  readonly lastRunAt: string | null;
  readonly activeRuns: number;
}

/** A job's figures over a window of `windowDays` from its run counts. */
export const jobStatsOf = (counts: JobRunCounts, windowDays: number): JobStats => ({
  job: counts.job,
  owner: counts.owner,
  currentVersion: counts.currentVersion,
  windowDays,
  runs: counts.runs,
  finished: counts.finished,
  succeeded: counts.succeeded,
  failed: counts.failed,
  cancelled: counts.cancelled,
  skipped: counts.skipped,
  missed: counts.missed,
  failureRate: counts.finished > 0 ? counts.failed / counts.finished : null,
  durationP50Ms: counts.durationP50Ms,
  durationP95Ms: counts.durationP95Ms,
  slaMisses: counts.slaMisses,
  predictedLate: counts.predictedLate,
  lastSuccessAt: counts.lastSuccessAt,
  lastRunAt: counts.lastRunAt,
  activeRuns: counts.active,
});
