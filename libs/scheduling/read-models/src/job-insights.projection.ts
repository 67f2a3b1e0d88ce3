import {
  rowView,
  rowsView,
  type ProjectionDefinition,
  type ProjectionSource,
} from '@trainyard/kernel';
import type {
  JobManifestApplied,
  JobManifestRolledBack,
  JobRunEvent,
} from '@trainyard/scheduling-domain';
import type {
  InsightJobRow,
  InsightJobRunRow,
  InsightJobVersionRow,
  InsightRunSlaRow,
  InsightRunState,
  InsightTaskAttempt,
  InsightTaskRunRow,
} from './job-insights-view.entity';

/** The checkpoint's name. */
export const JOB_INSIGHTS_PROJECTION = 'scheduling.job-insights.v1';

/** The job-run event types (job-run.events.ts): folded here, published by the runtime's rule. */
export const JOB_RUN_EVENT_TYPES = [
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
] as const satisfies readonly JobRunEvent['type'][];

type FoldedDefinitionEvent = JobManifestApplied | JobManifestRolledBack;
export type JobInsightEvent = JobRunEvent | FoldedDefinitionEvent;

export interface ProjectedJobInsightEvent {
  readonly event: JobInsightEvent;
  readonly streamVersion: number;
}

/** Instants as UTC ISO-8601 text with milliseconds, so they sort and compare as text. */
const utc = (instant: string): string => new Date(instant).toISOString();
const utcOrNull = (instant: string | undefined): string | null =>
  instant === undefined ? null : utc(instant);

const isDefinition = (event: JobInsightEvent): event is FoldedDefinitionEvent =>
  event.type === 'JobManifestApplied' || event.type === 'JobManifestRolledBack';
const isTask = (
  event: JobInsightEvent,
): event is Extract<
  JobRunEvent,
  { type: 'TaskRunStarted' | 'TaskRunFinished' | 'TaskRetryScheduled' }
> =>
  event.type === 'TaskRunStarted' ||
  event.type === 'TaskRunFinished' ||
  event.type === 'TaskRetryScheduled';
const isSla = (
  event: JobInsightEvent,
): event is Extract<JobRunEvent, { type: 'JobSlaMissed' | 'JobRunPredictedLate' }> =>
  event.type === 'JobSlaMissed' || event.type === 'JobRunPredictedLate';

// ---- jobs and their versions -------------------------------------------------------------------

export const evolveInsightJob = (
  row: InsightJobRow | undefined,
  { event, streamVersion }: ProjectedJobInsightEvent,
): InsightJobRow | undefined => {
  if (event.type === 'JobManifestApplied') {
    const d = event.data;
    return {
      job: d.name,
      owner: d.manifest.owner,
      definedAt: row?.definedAt ?? utc(d.appliedAt),
      updatedAt: utc(d.appliedAt),
      currentVersion: d.version,
      version: streamVersion,
    };
  }
  if (event.type === 'JobManifestRolledBack')
    return (
      row && {
        ...row,
        updatedAt: utc(event.data.rolledBackAt),
        currentVersion: event.data.version,
        version: streamVersion,
      }
    );
  return row;
};

export const evolveInsightJobVersions = (
  rows: readonly InsightJobVersionRow[],
  { event }: ProjectedJobInsightEvent,
): readonly InsightJobVersionRow[] => {
  const others = (version: number) => rows.filter((r) => r.jobVersion !== version);
  if (event.type === 'JobManifestApplied') {
    const d = event.data;
    return [
      ...others(d.version),
      {
        job: d.name,
        jobVersion: d.version,
        digest: d.digest,
        scheduled: d.manifest.schedule !== undefined,
        slaSeconds: d.manifest.sla?.finishWithinSeconds ?? null,
        components: [...(d.manifest.components ?? [])],
        tasks: d.manifest.tasks.map((t) => ({ id: t.id, dependsOn: [...t.dependsOn] })),
        appliedAt: utc(d.appliedAt),
      },
    ];
  }
  if (event.type === 'JobManifestRolledBack') {
    const d = event.data;
    const restored = rows.find((r) => r.jobVersion === d.toVersion);
    if (!restored) return rows;
    return [
      ...others(d.version),
      { ...restored, jobVersion: d.version, digest: d.digest, appliedAt: utc(d.rolledBackAt) },
    ];
  }
  return rows;
};

// ---- runs ---------------------------------------------------------------------------------------

const TERMINAL: readonly InsightRunState[] = [
  'succeeded',
  'failed',
  'cancelled',
  'stopped',
  'skipped',
  'missed',
];

type RunRefData = JobRunEvent['data'];

const newRun = (
  d: RunRefData,
  state: InsightRunState,
  streamVersion: number,
): InsightJobRunRow => ({
  runId: d.runId,
  job: d.job,
  jobVersion: d.jobVersion,
  team: d.team,
  nominalTime: utc(d.nominalTime),
  trigger: null,
  environment: null,
  state,
  notBefore: null,
  deferrals: 0,
  deferredReason: null,
  deferredUntil: null,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  outcome: null,
  detail: null,
  version: streamVersion,
});

/** One run's row, from the events of its stream `job-run-<runId>` (SLA facts are in their own table). */
export const evolveInsightJobRun = (
  row: InsightJobRunRow | undefined,
  { event, streamVersion }: ProjectedJobInsightEvent,
): InsightJobRunRow | undefined => {
  if (isDefinition(event) || isSla(event)) return row;
  const current = {
    ...(row ?? newRun(event.data, 'scheduled', streamVersion)),
    version: streamVersion,
  };
  // A late fact never reopens a run that ended (the runtime's last word stands).
  const ended = row !== undefined && TERMINAL.includes(row.state);
  switch (event.type) {
    case 'JobRunScheduled':
      return {
        ...current,
        trigger: event.data.trigger,
        environment: event.data.environment,
        notBefore: utc(event.data.notBefore),
        state: row?.state ?? 'scheduled',
      };
    case 'JobRunSkipped':
      return {
        ...current,
        state: 'skipped',
        detail: `${event.data.reason}: ${event.data.detail}`,
      };
    case 'JobRunMissed':
      return {
        ...current,
        state: 'missed',
        detail: `missed: detected ${event.data.detectedAt}, outside the catch-up window of ${event.data.catchUpSeconds} s`,
      };
    case 'JobRunDeferred':
      return {
        ...current,
        state: ended || current.state === 'running' ? current.state : 'deferred',
        deferrals: current.deferrals + 1,
        deferredReason: event.data.reason,
        deferredUntil: utcOrNull(event.data.until),
        detail: `${event.data.reason}: ${event.data.detail}`,
      };
    case 'JobRunStarted':
      return {
        ...current,
        state: ended ? current.state : 'running',
        startedAt: utc(event.data.startedAt),
      };
    case 'JobRunFinished':
      return {
        ...current,
        state: event.data.outcome,
        outcome: event.data.outcome,
        startedAt: utc(event.data.startedAt),
        finishedAt: utc(event.data.finishedAt),
        durationMs: event.data.durationMs,
      };
    default:
      // Task facts only move the run's version (replays are recognised by it).
      return row ? current : { ...current, state: 'running' };
  }
};

// ---- tasks --------------------------------------------------------------------------------------

const withAttempt = (
  history: readonly InsightTaskAttempt[],
  attempt: number,
  change: (a: InsightTaskAttempt) => InsightTaskAttempt,
): InsightTaskAttempt[] => {
  const blank: InsightTaskAttempt = {
    attempt,
    worker: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    outcome: null,
    detail: null,
  };
  const found = history.find((a) => a.attempt === attempt);
  return [...history.filter((a) => a.attempt !== attempt), change(found ?? blank)].sort(
    (a, b) => a.attempt - b.attempt,
  );
};

export const evolveInsightTaskRun = (
  row: InsightTaskRunRow | undefined,
  { event }: ProjectedJobInsightEvent,
): InsightTaskRunRow | undefined => {
  if (!isTask(event)) return row;
  const d = event.data;
  const base: InsightTaskRunRow = row ?? {
    runId: d.runId,
    taskId: d.taskId,
    job: d.job,
    team: d.team,
    state: 'running',
    attempts: d.attempt,
    firstStartedAt: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    outcome: null,
    worker: null,
    pools: [],
    fencingTokens: {},
    retryAt: null,
    exitCode: null,
    httpStatus: null,
    detail: null,
    history: [],
  };
  // An older attempt's late fact goes into its history only.
  const latest = d.attempt >= base.attempts;
  switch (event.type) {
    case 'TaskRunStarted': {
      const startedAt = utc(event.data.startedAt);
      const history = withAttempt(base.history, d.attempt, (a) => ({
        ...a,
        worker: event.data.worker,
        startedAt,
      }));
      if (!latest) return { ...base, history };
      return {
        ...base,
        state: 'running',
        attempts: d.attempt,
        firstStartedAt: base.firstStartedAt ?? startedAt,
        startedAt,
        finishedAt: null,
        durationMs: null,
        outcome: null,
        worker: event.data.worker,
        pools: Object.keys(event.data.fencingTokens).sort(),
        fencingTokens: { ...event.data.fencingTokens },
        retryAt: null,
        exitCode: null,
        httpStatus: null,
        detail: null,
        history,
      };
    }
    case 'TaskRunFinished': {
      const f = event.data;
      const finishedAt = utc(f.finishedAt);
      const previous = base.history.find((a) => a.attempt === d.attempt);
      const startedAt = f.startedAt ? utc(f.startedAt) : (previous?.startedAt ?? null);
      const durationMs =
        f.durationMs ?? (startedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : null);
      const history = withAttempt(base.history, d.attempt, (a) => ({
        ...a,
        startedAt,
        finishedAt,
        durationMs,
        outcome: f.outcome,
        detail: f.detail ?? null,
      }));
      if (!latest) return { ...base, history };
      return {
        ...base,
        state: f.outcome,
        attempts: d.attempt,
        firstStartedAt: base.firstStartedAt ?? startedAt,
        startedAt,
        finishedAt,
        durationMs,
        outcome: f.outcome,
        exitCode: f.exitCode ?? null,
        httpStatus: f.httpStatus ?? null,
        detail: f.detail ?? null,
        history,
      };
    }
    case 'TaskRetryScheduled':
      if (!latest) return base;
      return { ...base, state: 'retry-scheduled', retryAt: utc(event.data.retryAt) };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

// ---- SLA facts ---------------------------------------------------------------------------------

/** First fact of each kind wins: the SLA watch records each once, and a replay changes nothing. */
export const evolveInsightRunSla = (
  row: InsightRunSlaRow | undefined,
  { event }: ProjectedJobInsightEvent,
): InsightRunSlaRow | undefined => {
  if (!isSla(event)) return row;
  const d = event.data;
  const base: InsightRunSlaRow = row ?? {
    runId: d.runId,
    job: d.job,
    team: d.team,
    deadline: utc(d.deadline),
    predictedFinish: null,
    remainingTasks: null,
    missedDetectedAt: null,
  };
  if (event.type === 'JobSlaMissed')
    return { ...base, missedDetectedAt: base.missedDetectedAt ?? utc(event.data.detectedAt) };
  return base.predictedFinish !== null
    ? base
    : {
        ...base,
        predictedFinish: utc(event.data.predictedFinish),
        remainingTasks: [...event.data.remainingTasks],
      };
};

const runKey = (event: JobInsightEvent): string | undefined =>
  isDefinition(event) || isSla(event) ? undefined : event.data.runId;

/**
 * Job insights: runs, tasks, SLA facts, and the jobs with the facts of each version (SLA, DAG,
 * components). Run rows carry their stream's version, so a replay over newer rows is skipped.
 */
export const jobInsightsProjection: ProjectionDefinition<ProjectedJobInsightEvent> = {
  name: JOB_INSIGHTS_PROJECTION,
  eventTypes: [...JOB_RUN_EVENT_TYPES, 'JobManifestApplied', 'JobManifestRolledBack'],
  toEvent: (stored: ProjectionSource) => ({
    event: { type: stored.type, data: stored.data } as JobInsightEvent,
    streamVersion: stored.streamVersion,
  }),
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<ProjectedJobInsightEvent, InsightJobRow>({
      table: 'insight_jobs',
      keyOf: (p) => (isDefinition(p.event) ? p.event.data.name : undefined),
      fold: evolveInsightJob,
      versionOf: (row) => row.version,
    }),
    rowsView<ProjectedJobInsightEvent, InsightJobVersionRow>({
      table: 'insight_job_versions',
      groupBy: ['job'],
      keyOf: (p) => (isDefinition(p.event) ? p.event.data.name : undefined),
      fold: evolveInsightJobVersions,
    }),
    rowView<ProjectedJobInsightEvent, InsightJobRunRow>({
      table: 'insight_job_runs',
      keyOf: (p) => runKey(p.event),
      fold: evolveInsightJobRun,
      versionOf: (row) => row.version,
    }),
    rowView<ProjectedJobInsightEvent, InsightTaskRunRow>({
      table: 'insight_task_runs',
      keyOf: (p) => (isTask(p.event) ? [p.event.data.runId, p.event.data.taskId] : undefined),
      fold: evolveInsightTaskRun,
    }),
    rowView<ProjectedJobInsightEvent, InsightRunSlaRow>({
      table: 'insight_run_slas',
      keyOf: (p) => (isSla(p.event) ? p.event.data.runId : undefined),
      fold: evolveInsightRunSla,
    }),
  ],
};
