// Job-run domain events → integration events (issue 12, item 7; ADR 0009): every state change of
// a run on trainyard.scheduling.events.v1 for metrics, alerting and routing. The domain is imported
// for types only; every published field is copied by name, and the exhaustive switch fails
// typecheck when a new job-run event is neither mapped nor marked not published.
import type { JobRunEvent } from '@trainyard/scheduling-domain';
import type {
  JobRunDeferredV1,
  JobRunFinishedV1,
  JobRunMissedV1,
  JobRunPredictedLateV1,
  JobRunRefV1,
  JobRunScheduledV1,
  JobRunSkippedV1,
  JobRunStartedV1,
  JobSlaMissedV1,
  JobTaskRefV1,
  TaskRetryScheduledV1,
  TaskRunFinishedV1,
  TaskRunStartedV1,
} from './events/job-run-events.v1';

type V1<T extends string, D> = { readonly type: T; readonly version: 1; readonly data: D };
export type JobRunIntegrationEvent =
  | V1<'JobRunScheduled', JobRunScheduledV1>
  | V1<'JobRunSkipped', JobRunSkippedV1>
  | V1<'JobRunMissed', JobRunMissedV1>
  | V1<'JobRunDeferred', JobRunDeferredV1>
  | V1<'JobRunStarted', JobRunStartedV1>
  | V1<'JobRunFinished', JobRunFinishedV1>
  | V1<'TaskRunStarted', TaskRunStartedV1>
  | V1<'TaskRunFinished', TaskRunFinishedV1>
  | V1<'TaskRetryScheduled', TaskRetryScheduledV1>
  | V1<'JobSlaMissed', JobSlaMissedV1>
  | V1<'JobRunPredictedLate', JobRunPredictedLateV1>;

export const JOB_RUN_INTEGRATION_EVENTS: readonly {
  readonly type: JobRunIntegrationEvent['type'];
  readonly version: 1;
}[] = (
  [
    'JobRunScheduled',
    'JobRunSkipped',
    'JobRunMissed',
    'JobRunDeferred',
    'JobRunStarted',
    'JobRunFinished',
    'TaskRunStarted',
    'TaskRunFinished',
    'TaskRetryScheduled',
    'JobSlaMissed',
    'JobRunPredictedLate',
  ] as const
).map((type) => ({ type, version: 1 as const }));

const TYPES = new Set<string>(JOB_RUN_INTEGRATION_EVENTS.map((e) => e.type));
export const isJobRunEvent = (event: { type: string }): event is JobRunEvent =>
  TYPES.has(event.type);

const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const ref = (d: JobRunRefV1): JobRunRefV1 => ({
  runId: d.runId,
  job: d.job,
  jobVersion: d.jobVersion,
  team: d.team,
  nominalTime: d.nominalTime,
});
const taskRef = (d: JobTaskRefV1): JobTaskRefV1 => ({
  ...ref(d),
  taskId: d.taskId,
  attempt: d.attempt,
  taskKey: d.taskKey,
});

export function toJobRunIntegrationEvent(event: JobRunEvent): JobRunIntegrationEvent {
  switch (event.type) {
    case 'JobRunScheduled': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          ...ref(d),
          trigger: d.trigger,
          idempotencyKey: d.idempotencyKey,
          environment: d.environment,
          notBefore: d.notBefore,
          ...opt('requestedBy', d.requestedBy),
        },
      };
    }
    case 'JobRunSkipped':
      return {
        type: event.type,
        version: 1,
        data: { ...ref(event.data), reason: event.data.reason, detail: event.data.detail },
      };
    case 'JobRunMissed':
      return {
        type: event.type,
        version: 1,
        data: {
          ...ref(event.data),
          detectedAt: event.data.detectedAt,
          catchUpSeconds: event.data.catchUpSeconds,
        },
      };
    case 'JobRunDeferred':
      return {
        type: event.type,
        version: 1,
        data: {
          ...ref(event.data),
          reason: event.data.reason,
          detail: event.data.detail,
          ...opt('until', event.data.until),
        },
      };
    case 'JobRunStarted':
      return {
        type: event.type,
        version: 1,
        data: { ...ref(event.data), startedAt: event.data.startedAt },
      };
    case 'JobRunFinished': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          ...ref(d),
          outcome: d.outcome,
          startedAt: d.startedAt,
          finishedAt: d.finishedAt,
          durationMs: d.durationMs,
          tasks: { ...d.tasks },
          ...opt('cancelledBy', d.cancelledBy),
        },
      };
    }
    case 'TaskRunStarted':
      return {
        type: event.type,
        version: 1,
        data: {
          ...taskRef(event.data),
          worker: event.data.worker,
          startedAt: event.data.startedAt,
          fencingTokens: { ...event.data.fencingTokens },
        },
      };
    case 'TaskRunFinished': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          ...taskRef(d),
          outcome: d.outcome,
          finishedAt: d.finishedAt,
          ...opt('startedAt', d.startedAt),
          ...opt('durationMs', d.durationMs),
          ...opt('exitCode', d.exitCode),
          ...opt('httpStatus', d.httpStatus),
          ...opt('detail', d.detail),
        },
      };
    }
    case 'TaskRetryScheduled':
      return {
        type: event.type,
        version: 1,
        data: {
          ...taskRef(event.data),
          nextAttempt: event.data.nextAttempt,
          retryAt: event.data.retryAt,
          delayMs: event.data.delayMs,
        },
      };
    case 'JobSlaMissed':
      return {
        type: event.type,
        version: 1,
        data: {
          ...ref(event.data),
          deadline: event.data.deadline,
          detectedAt: event.data.detectedAt,
        },
      };
    case 'JobRunPredictedLate':
      return {
        type: event.type,
        version: 1,
        data: {
          ...ref(event.data),
          deadline: event.data.deadline,
          predictedFinish: event.data.predictedFinish,
          remainingTasks: [...event.data.remainingTasks],
        },
      };
    default: {
      const unknown: never = event;
      throw new Error(`unmapped job-run event ${JSON.stringify(unknown)}`);
    }
  }
}
