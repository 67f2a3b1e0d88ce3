/**
 * Admission control (issue 12, item 4): a bounded queue per team and per job instead of an
 * unbounded one. A trigger that would overfill either is refused with a retry-after computed from
 * how fast that queue drains, which the adapters send as RESOURCE_EXHAUSTED with a
 * `google.rpc.RetryInfo` (gRPC) or 429 with `Retry-After` (REST).
 */
export interface AdmissionLimits {
  /** Runs waiting to start, per owner team. */
  readonly maxQueuedPerTeam: number;
  /** Runs waiting to start, per job. */
  readonly maxQueuedPerJob: number;
  /** Bounds of the retry-after answered, in seconds (defaults 1 and 300). */
  readonly minRetryAfterSeconds?: number;
  readonly maxRetryAfterSeconds?: number;
}

/** The queues' state as the runtime measures it. */
export interface QueueLoad {
  readonly queued: number;
  /** Runs of this queue that left it (started) per second, over a recent window; 0 = unknown. */
  readonly drainPerSecond: number;
}

export interface AdmissionRequest {
  readonly team: string;
  readonly job: string;
  readonly teamQueue: QueueLoad;
  readonly jobQueue: QueueLoad;
  /** How many runs the trigger asks to queue (default 1). */
  readonly runs?: number;
}

export type AdmissionDecision =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      readonly scope: 'team' | 'job';
      /** The team or the job whose queue is full. */
      readonly subject: string;
      readonly queued: number;
      readonly limit: number;
      readonly retryAfterSeconds: number;
      readonly message: string;
    };

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  maxQueuedPerTeam: 10_000,
  maxQueuedPerJob: 1_000,
};

/**
 * Seconds until `excess` runs have drained at `drainPerSecond`, clamped to the bounds; with no
 * measured drain, the upper bound (the queue is not moving: ask the caller to come back late).
 */
export const retryAfterSeconds = (
  excess: number,
  drainPerSecond: number,
  limits: Pick<AdmissionLimits, 'minRetryAfterSeconds' | 'maxRetryAfterSeconds'> = {},
): number => {
  const min = limits.minRetryAfterSeconds ?? 1;
  const max = Math.max(min, limits.maxRetryAfterSeconds ?? 300);
  if (!(drainPerSecond > 0) || !Number.isFinite(drainPerSecond)) return max;
  return Math.min(max, Math.max(min, Math.ceil(Math.max(1, excess) / drainPerSecond)));
};

/** Admit the trigger, or refuse it naming the full queue and when to retry. Pure. */
export const admit = (request: AdmissionRequest, limits: AdmissionLimits): AdmissionDecision => {
  const runs = Math.max(1, Math.floor(request.runs ?? 1));
  const checks = [
    ['job', request.job, request.jobQueue, limits.maxQueuedPerJob],
    ['team', request.team, request.teamQueue, limits.maxQueuedPerTeam],
  ] as const;
  for (const [scope, subject, queue, limit] of checks) {
    if (queue.queued + runs <= limit) continue;
    const excess = queue.queued + runs - limit;
    const retry = retryAfterSeconds(excess, queue.drainPerSecond, limits);
    return {
      admitted: false,
      scope,
      subject,
      queued: queue.queued,
      limit,
      retryAfterSeconds: retry,
      message: `The ${scope} ${subject} has ${queue.queued} runs waiting, at most ${limit} may wait; retry in ${retry} s.`,
    };
  }
  return { admitted: true };
};
