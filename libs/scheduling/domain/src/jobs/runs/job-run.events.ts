import type { DomainEvent } from '@trainyard/kernel';

/**
 * The facts of a job run's life (issue 12, items 3–7): the contract between the runtime that
 * records them, the read models that fold them and the integration events on
 * `trainyard.scheduling.events.v1`. Stream `job-run-<runId>`; `runId` is derived from the
 * idempotency key `<job>@<nominal time ISO>` for scheduled runs, so one slot is one run.
 */
export type RunTrigger = 'schedule' | 'manual' | 'catch-up';
export type TaskOutcome = 'succeeded' | 'failed' | 'timed-out' | 'lost' | 'skipped' | 'cancelled';
export type RunOutcome = 'succeeded' | 'failed' | 'cancelled' | 'stopped';

type RunRef = {
  readonly runId: string;
  readonly job: string;
  readonly jobVersion: number;
  /** The owner team (fairness and routing). */
  readonly team: string;
  /** The schedule slot (for a manual run, when it was requested). */
  readonly nominalTime: string;
};

export type JobRunScheduled = DomainEvent<
  'JobRunScheduled',
  RunRef & {
    readonly trigger: RunTrigger;
    readonly idempotencyKey: string;
    readonly environment: string;
    /** When it may start (nominal time plus start jitter). */
    readonly notBefore: string;
    readonly requestedBy?: string;
  }
>;
/** The slot came due but the overlap policy or a freeze decided it does not run. */
export type JobRunSkipped = DomainEvent<
  'JobRunSkipped',
  RunRef & { readonly reason: 'overlap' | 'freeze' | 'deprecated'; readonly detail: string }
>;
/** A slot that passed while no scheduler ran, older than the job's catch-up window. */
export type JobRunMissed = DomainEvent<
  'JobRunMissed',
  RunRef & { readonly detectedAt: string; readonly catchUpSeconds: number }
>;
/** Start deferred: backpressure, a maintenance window, a full pool or the team's fair share. */
export type JobRunDeferred = DomainEvent<
  'JobRunDeferred',
  RunRef & {
    readonly reason: 'backpressure' | 'maintenance' | 'pool' | 'fair-share' | 'max-active-runs';
    readonly detail: string;
    readonly until?: string;
  }
>;
export type JobRunStarted = DomainEvent<'JobRunStarted', RunRef & { readonly startedAt: string }>;
export type JobRunFinished = DomainEvent<
  'JobRunFinished',
  RunRef & {
    readonly outcome: RunOutcome;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly durationMs: number;
    readonly tasks: Readonly<Record<string, TaskOutcome>>;
    readonly cancelledBy?: string;
  }
>;

type TaskRef = RunRef & {
  readonly taskId: string;
  readonly attempt: number;
  /** Passed to the executor so a retried task can be deduplicated downstream. */
  readonly taskKey: string;
};

export type TaskRunStarted = DomainEvent<
  'TaskRunStarted',
  TaskRef & {
    readonly worker: string;
    readonly startedAt: string;
    /** Fencing tokens of the pool slots held, by pool. */
    readonly fencingTokens: Readonly<Record<string, number>>;
  }
>;
export type TaskRunFinished = DomainEvent<
  'TaskRunFinished',
  TaskRef & {
    readonly outcome: TaskOutcome;
    readonly startedAt?: string;
    readonly finishedAt: string;
    readonly durationMs?: number;
    readonly exitCode?: number;
    readonly httpStatus?: number;
    /** Why it failed or was skipped, never a secret. */
    readonly detail?: string;
  }
>;
export type TaskRetryScheduled = DomainEvent<
  'TaskRetryScheduled',
  TaskRef & { readonly nextAttempt: number; readonly retryAt: string; readonly delayMs: number }
>;

export type JobSlaMissed = DomainEvent<
  'JobSlaMissed',
  RunRef & { readonly deadline: string; readonly detectedAt: string }
>;
/** Before the deadline: the remaining tasks at their historical durations cannot finish in time. */
export type JobRunPredictedLate = DomainEvent<
  'JobRunPredictedLate',
  RunRef & {
    readonly deadline: string;
    readonly predictedFinish: string;
    readonly remainingTasks: readonly string[];
  }
>;

export type JobRunEvent =
  | JobRunScheduled
  | JobRunSkipped
  | JobRunMissed
  | JobRunDeferred
  | JobRunStarted
  | JobRunFinished
  | TaskRunStarted
  | TaskRunFinished
  | TaskRetryScheduled
  | JobSlaMissed
  | JobRunPredictedLate;
