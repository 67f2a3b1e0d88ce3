// The job-run events as published (issue 12; domain: libs/scheduling/domain/src/jobs/runs/
// job-run.events.ts). One plain type per event, version 1; the mapping copies every field by name.
export type RunTriggerV1 = 'schedule' | 'manual' | 'catch-up';
export type TaskOutcomeV1 = 'succeeded' | 'failed' | 'timed-out' | 'lost' | 'skipped' | 'cancelled';
export type RunOutcomeV1 = 'succeeded' | 'failed' | 'cancelled' | 'stopped';

export interface JobRunRefV1 {
  readonly runId: string;
  readonly job: string;
  readonly jobVersion: number;
  readonly team: string;
  readonly nominalTime: string;
}
export interface JobTaskRefV1 extends JobRunRefV1 {
  readonly taskId: string;
  readonly attempt: number;
  readonly taskKey: string;
}

export interface JobRunScheduledV1 extends JobRunRefV1 {
  readonly trigger: RunTriggerV1;
  readonly idempotencyKey: string;
  readonly environment: string;
  readonly notBefore: string;
  readonly requestedBy?: string;
}
export interface JobRunSkippedV1 extends JobRunRefV1 {
  readonly reason: 'overlap' | 'freeze' | 'deprecated';
  readonly detail: string;
}
export interface JobRunMissedV1 extends JobRunRefV1 {
  readonly detectedAt: string;
  readonly catchUpSeconds: number;
}
export interface JobRunDeferredV1 extends JobRunRefV1 {
  readonly reason: 'backpressure' | 'maintenance' | 'pool' | 'fair-share' | 'max-active-runs';
  readonly detail: string;
  readonly until?: string;
}
export interface JobRunStartedV1 extends JobRunRefV1 {
  readonly startedAt: string;
}
export interface JobRunFinishedV1 extends JobRunRefV1 {
  readonly outcome: RunOutcomeV1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly tasks: Readonly<Record<string, TaskOutcomeV1>>;
  readonly cancelledBy?: string;
}
export interface TaskRunStartedV1 extends JobTaskRefV1 {
  readonly worker: string;
  readonly startedAt: string;
  readonly fencingTokens: Readonly<Record<string, number>>;
}
export interface TaskRunFinishedV1 extends JobTaskRefV1 {
  readonly outcome: TaskOutcomeV1;
  readonly startedAt?: string;
  readonly finishedAt: string;
  readonly durationMs?: number;
  readonly exitCode?: number;
  readonly httpStatus?: number;
  readonly detail?: string;
}
export interface TaskRetryScheduledV1 extends JobTaskRefV1 {
  readonly nextAttempt: number;
  readonly retryAt: string;
  readonly delayMs: number;
}
export interface JobSlaMissedV1 extends JobRunRefV1 {
  readonly deadline: string;
  readonly detectedAt: string;
}
export interface JobRunPredictedLateV1 extends JobRunRefV1 {
  readonly deadline: string;
  readonly predictedFinish: string;
  readonly remainingTasks: readonly string[];
}
