import { tasksInDependencyOrder } from '../task-graph';
import { type Command, type Decider, ownValue, ValidationError } from '@trainyard/kernel';
import { formatUtcInstant } from '../../time/civil-date';
import type { JobRunPredictedLate, JobSlaMissed } from '../runs/job-run.events';

/**
 * A job run's SLA (issue 12, item 5): the run must have succeeded by its deadline, the nominal time
 * plus `sla.finishWithinSeconds`. `JobSlaMissed` once it has not; `JobRunPredictedLate` earlier,
 * once, when the tasks still to run, at their historical durations (p50 per task) along the
 * critical path of the DAG from now, cannot finish by the deadline. Pure: no clock; the sweeper
 * gives `now`, the run's progress and the durations.
 */

/** The SLA facts of one run are their own stream, so the runtime's appends to the run's stream never conflict with them. */
export const jobRunSlaStream = (runId: string): string => `job-run-sla-${runId}`;

const SECOND_MS = 1000;

/** Epoch ms of the deadline. */
export const slaDeadline = (nominalTime: string, finishWithinSeconds: number): number => {
  const nominal = Date.parse(nominalTime);
  if (!Number.isFinite(nominal))
    throw new ValidationError('nominalTime', `nominalTime must be an instant; got ${nominalTime}`);
  if (!Number.isSafeInteger(finishWithinSeconds) || finishWithinSeconds <= 0)
    throw new ValidationError(
      'sla.finishWithinSeconds',
      `sla.finishWithinSeconds must be a positive whole number; got ${finishWithinSeconds}`,
    );
  return nominal + finishWithinSeconds * SECOND_MS;
};

export interface SlaTask {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** Where a task stands: done covers every settled outcome (succeeded, failed, skipped…). */
export type TaskProgress =
  | { readonly state: 'pending' }
  | { readonly state: 'running'; readonly startedAt: number }
  | { readonly state: 'done' };

export interface RunProgress {
  /** The DAG of the run's job version. */
  readonly tasks: readonly SlaTask[];
  /** By task id; a task not listed is pending. */
  readonly progress: Readonly<Record<string, TaskProgress>>;
  /** When the run may start (JobRunScheduled.notBefore), epoch ms; absent: now. */
  readonly notBefore?: number;
}

export interface FinishPrediction {
  /** Epoch ms. */
  readonly finish: number;
  /** Tasks not done yet, in dependency order (ties by id). */
  readonly remainingTasks: readonly string[];
  /** The longest chain of remaining tasks, first to last: what decides the finish. */
  readonly criticalPath: readonly string[];
  /** Remaining tasks without a historical duration (counted as taking no time: never a false alarm). */
  readonly unknownDurations: readonly string[];
}

/**
 * When the run will finish if every remaining task takes its historical p50: a task starts when the
 * run may start (not before `now`) and all its dependencies are predicted done; a running task ends
 * at its start plus its p50, not before `now`; a done task constrains nothing.
 */
export const predictRunFinish = (
  run: RunProgress,
  p50Ms: Readonly<Record<string, number>>,
  now: number,
): FinishPrediction => {
  const base = Math.max(now, run.notBefore ?? now);
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const remaining: string[] = [];
  const unknown: string[] = [];
  const duration = (id: string): number => {
    const d = p50Ms[id];
    if (d === undefined || !Number.isFinite(d) || d < 0) {
      unknown.push(id);
      return 0;
    }
    return d;
  };
  for (const task of tasksInDependencyOrder(run.tasks)) {
    const progress = ownValue(run.progress, task.id) ?? { state: 'pending' };
    if (progress.state === 'done') {
      finish.set(task.id, now);
      continue;
    }
    remaining.push(task.id);
    if (progress.state === 'running') {
      finish.set(task.id, Math.max(now, progress.startedAt + duration(task.id)));
      via.set(task.id, undefined);
      continue;
    }
    let start = base;
    let from: string | undefined;
    for (const dep of task.dependsOn) {
      const f = finish.get(dep);
      if (f !== undefined && f > start) {
        start = f;
        from = remaining.includes(dep) ? dep : undefined;
      }
    }
    finish.set(task.id, start + duration(task.id));
    via.set(task.id, from);
  }
  let last: string | undefined;
  let end = remaining.length > 0 ? base : now;
  for (const id of remaining) {
    const f = finish.get(id) ?? base;
    if (f > end || last === undefined) {
      end = Math.max(end, f);
      last = id;
    }
  }
  const path: string[] = [];
  for (let id = last; id !== undefined; id = via.get(id)) path.unshift(id);
  return { finish: end, remainingTasks: remaining, criticalPath: path, unknownDurations: unknown };
};

// ---- the SLA decider over `job-run-sla-<runId>` ------------------------------------------------

export interface RunSlaRef {
  readonly runId: string;
  readonly job: string;
  readonly jobVersion: number;
  readonly team: string;
  readonly nominalTime: string;
}

/** The sweeper's look at one run: its deadline, and either how it ended or its prediction. */
export type CheckJobRunSla = Command<
  'CheckJobRunSla',
  {
    readonly run: RunSlaRef;
    /** Epoch ms. */
    readonly deadline: number;
    /** When it succeeded, epoch ms; absent: not (yet) succeeded. */
    readonly succeededAt?: number;
    /** For a run not yet succeeded: the prediction from now. */
    readonly prediction?: FinishPrediction;
  }
>;

export type JobRunSlaEvent = JobSlaMissed | JobRunPredictedLate;

export interface JobRunSla {
  readonly predictedLate: boolean;
  readonly missed: boolean;
}

export const initialJobRunSla = (): JobRunSla => ({ predictedLate: false, missed: false });

export const evolveJobRunSla = (state: JobRunSla, event: JobRunSlaEvent): JobRunSla =>
  event.type === 'JobSlaMissed' ? { ...state, missed: true } : { ...state, predictedLate: true };

const ref = (run: RunSlaRef) => ({
  runId: run.runId,
  job: run.job,
  jobVersion: run.jobVersion,
  team: run.team,
  nominalTime: run.nominalTime,
});

/**
 * Each fact at most once per run: missed when the deadline passed without success (or the success
 * came after it); predicted late, before the deadline and only while unfinished, when the
 * prediction ends after the deadline. `[]`: nothing new.
 */
export const decideJobRunSla = (command: CheckJobRunSla, state: JobRunSla): JobRunSlaEvent[] => {
  const { run, deadline, succeededAt, prediction } = command.data;
  const now = Date.parse(command.metadata.now);
  if (state.missed) return [];
  const deadlineText = formatUtcInstant(deadline);
  if (succeededAt !== undefined) {
    if (succeededAt <= deadline) return [];
    return [
      {
        type: 'JobSlaMissed',
        data: { ...ref(run), deadline: deadlineText, detectedAt: command.metadata.now },
      },
    ];
  }
  if (now >= deadline)
    return [
      {
        type: 'JobSlaMissed',
        data: { ...ref(run), deadline: deadlineText, detectedAt: command.metadata.now },
      },
    ];
  if (state.predictedLate || !prediction || prediction.finish <= deadline) return [];
  return [
    {
      type: 'JobRunPredictedLate',
      data: {
        ...ref(run),
        deadline: deadlineText,
        predictedFinish: formatUtcInstant(prediction.finish),
        remainingTasks: [...prediction.remainingTasks],
      },
    },
  ];
};

/** For `handleCommand`: the SLA decider of one run (no context). */
export const jobRunSlaDecider: Decider<JobRunSla, CheckJobRunSla, JobRunSlaEvent, undefined> = {
  decide: (command, state) => decideJobRunSla(command, state),
  evolve: evolveJobRunSla,
  initialState: initialJobRunSla,
};
