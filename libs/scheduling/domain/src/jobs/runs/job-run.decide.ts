import type { JobManifest, JobTask, TaskOutcomeRule } from '../job-manifest';
import type { RunOutcome, TaskOutcome } from './job-run.events';

/**
 * The run decider (issue 12, item 3): given a run's task states and one fact (a task attempt
 * finished, its heartbeat was lost, it timed out, the run was cancelled), what follows — retries
 * with exponential backoff and full jitter, trigger rules for joins, branching by the task's
 * `outcomes` rules, and the run's outcome. Pure: time and randomness arrive in the context; the
 * runtime (apps/scheduling/src/jobs/runtime) turns a step into row updates and events in one
 * transaction.
 */

/** `pending`: upstream not settled; `ready`: may start at `notBefore`; `done`: has an outcome. */
export type TaskRunStatus = 'pending' | 'ready' | 'running' | 'done';

export interface TaskRunView {
  readonly status: TaskRunStatus;
  /** 1-based; the attempt running, ready to run, or that finished. */
  readonly attempt: number;
  readonly outcome?: TaskOutcome;
  /** A failed result an `outcomes` rule matched: expected, so it neither retries nor fails the run. */
  readonly handled?: boolean;
}
export type RunTasks = Readonly<Record<string, TaskRunView>>;

export type FinishedAttemptOutcome = 'succeeded' | 'failed' | 'timed-out' | 'lost';
export type RunFact =
  | {
      readonly type: 'TaskAttemptFinished';
      readonly taskId: string;
      readonly attempt: number;
      /** `timed-out`: the per-task timeout fired; `lost`: its heartbeat or lease ran out. */
      readonly outcome: FinishedAttemptOutcome;
      readonly exitCode?: number;
      readonly httpStatus?: number;
      readonly detail?: string;
    }
  | { readonly type: 'CancelRun'; readonly by: string };

export interface RunDecisionContext {
  readonly now: string;
  /** Uniform in [0, 1): full jitter of retry delays (injected, so tests are deterministic). */
  readonly random: () => number;
}

/** One task's new state, with what the event for it must say. */
export type TaskChange =
  | {
      readonly kind: 'finished';
      readonly taskId: string;
      readonly attempt: number;
      readonly outcome: TaskOutcome;
      readonly handled: boolean;
      readonly exitCode?: number;
      readonly httpStatus?: number;
      readonly detail?: string;
      /** It was running: the runtime aborts the execution (cancel, stop-run). */
      readonly abort?: boolean;
    }
  | {
      readonly kind: 'retry';
      readonly taskId: string;
      readonly attempt: number;
      readonly outcome: FinishedAttemptOutcome;
      readonly nextAttempt: number;
      readonly delayMs: number;
      readonly retryAt: string;
      readonly exitCode?: number;
      readonly httpStatus?: number;
      readonly detail?: string;
    }
  | { readonly kind: 'ready'; readonly taskId: string; readonly attempt: number };

export interface RunStep {
  /** In order: the fact's task first, then what it settled, then the tasks it made ready. */
  readonly changes: readonly TaskChange[];
  /** Set when every task is done: the run is over. */
  readonly runOutcome?: RunOutcome;
}

export const NOTHING: RunStep = { changes: [] };

/** Stable per (run, task) across attempts: passed to executors for downstream deduplication. */
export const taskKeyOf = (runId: string, taskId: string): string => `${runId}/${taskId}`;

/** The tasks of a new run: roots ready at attempt 1, the others pending. */
export const initialRunTasks = (manifest: JobManifest): RunTasks =>
  Object.fromEntries(
    manifest.tasks.map((t) => [
      t.id,
      { status: t.dependsOn.length === 0 ? 'ready' : 'pending', attempt: 1 },
    ]),
  );

const FAILED: ReadonlySet<TaskOutcome> = new Set(['failed', 'timed-out', 'lost']);

/** Delay before retry `attempt + 1`: backoff·2^(attempt−1) capped at maxDelay, full jitter. */
export const retryDelayMs = (
  retries: NonNullable<JobTask['retries']>,
  attempt: number,
  random: () => number,
): number => {
  const cap = Math.min(
    retries.maxDelaySeconds * 1000,
    retries.backoffSeconds * 1000 * 2 ** Math.min(attempt - 1, 40),
  );
  if (retries.jitter === false) return Math.round(cap);
  const r = random();
  return Math.floor(Math.max(0, Math.min(r, 1)) * cap);
};

/** The first `outcomes` rule matching a result (all its conditions), if any. */
export const matchOutcomeRule = (
  rules: readonly TaskOutcomeRule[] | undefined,
  result: { outcome: FinishedAttemptOutcome; exitCode?: number; httpStatus?: number },
): { rule: TaskOutcomeRule; index: number } | undefined => {
  if (!rules) return undefined;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    const { exitCodes, httpStatuses, result: want } = rule.when;
    if (exitCodes && (result.exitCode === undefined || !exitCodes.includes(result.exitCode)))
      continue;
    if (
      httpStatuses &&
      (result.httpStatus === undefined || !httpStatuses.includes(result.httpStatus))
    )
      continue;
    if (want && want !== (result.outcome === 'succeeded' ? 'succeeded' : 'failed')) continue;
    return { rule, index };
  }
  return undefined;
};

/** Decides what follows one fact; `NOTHING` for a stale fact (an attempt no longer running). */
export const decideRunStep = (
  manifest: JobManifest,
  tasks: RunTasks,
  fact: RunFact,
  context: RunDecisionContext,
): RunStep => {
  switch (fact.type) {
    case 'TaskAttemptFinished':
      return taskAttemptFinished(manifest, tasks, fact, context);
    case 'CancelRun':
      return cancelRun(overlay(tasks), `cancelled by ${fact.by}`);
    default: {
      const unknown: never = fact;
      throw new Error(`unknown run fact ${JSON.stringify(unknown)}`);
    }
  }
};

/** Applies a step to the task states (what the runtime's rows become). */
export const evolveRunTasks = (tasks: RunTasks, step: RunStep): RunTasks => {
  const next: Record<string, TaskRunView> = { ...tasks };
  for (const c of step.changes) next[c.taskId] = viewAfter(c);
  return next;
};

/** A task's state after one change. */
const viewAfter = (c: TaskChange): TaskRunView => {
  if (c.kind === 'finished')
    return c.handled
      ? { status: 'done', attempt: c.attempt, outcome: c.outcome, handled: true }
      : { status: 'done', attempt: c.attempt, outcome: c.outcome };
  if (c.kind === 'retry') return { status: 'ready', attempt: c.nextAttempt };
  return { status: 'ready', attempt: c.attempt };
};

/**
 * A run's task states with a step's changes laid over them. A run may have hundreds of tasks and
 * is decided on every result: a copy of its states per change cost more than the deciding.
 */
interface Overlay {
  readonly tasks: RunTasks;
  readonly changed: Map<string, TaskRunView>;
}
const overlay = (tasks: RunTasks): Overlay => ({ tasks, changed: new Map() });
const viewIn = (s: Overlay, taskId: string): TaskRunView | undefined =>
  s.changed.get(taskId) ?? s.tasks[taskId];
const apply = (s: Overlay, changes: readonly TaskChange[]): void => {
  for (const c of changes) s.changed.set(c.taskId, viewAfter(c));
};

/** The run's outcome when every task is done, else undefined. */
const runOutcomeOf = (s: Overlay, stopped: boolean, cancelled: boolean): RunOutcome | undefined => {
  let failed = false;
  for (const taskId in s.tasks) {
    const t = viewIn(s, taskId)!;
    if (t.status !== 'done') return undefined;
    if (t.outcome !== undefined && FAILED.has(t.outcome) && !t.handled) failed = true;
  }
  if (cancelled) return 'cancelled';
  if (stopped) return 'stopped';
  return failed ? 'failed' : 'succeeded';
};

const cancelRun = (s: Overlay, detail: string): RunStep => {
  const changes: TaskChange[] = [];
  for (const taskId in s.tasks) {
    const t = viewIn(s, taskId)!;
    if (t.status !== 'done')
      changes.push({
        kind: 'finished',
        taskId,
        attempt: t.attempt,
        outcome: 'cancelled',
        handled: false,
        detail,
        ...(t.status === 'running' ? { abort: true } : {}),
      });
  }
  if (changes.length === 0) return NOTHING;
  return { changes, runOutcome: 'cancelled' };
};

const taskAttemptFinished = (
  manifest: JobManifest,
  tasks: RunTasks,
  fact: Extract<RunFact, { type: 'TaskAttemptFinished' }>,
  context: RunDecisionContext,
): RunStep => {
  const current = tasks[fact.taskId];
  if (!current || current.status !== 'running' || current.attempt !== fact.attempt) return NOTHING;
  const task = manifest.tasks.find((t) => t.id === fact.taskId);
  if (!task) return NOTHING;
  const result = { exitCode: fact.exitCode, httpStatus: fact.httpStatus, detail: fact.detail };
  const defined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const matched = matchOutcomeRule(task.outcomes, fact);
  const failed = fact.outcome !== 'succeeded';

  // A failure no rule expects is retried while attempts remain.
  const retries = task.retries;
  if (failed && !matched && retries && fact.attempt <= retries.max) {
    const delayMs = retryDelayMs(retries, fact.attempt, context.random);
    return {
      changes: [
        {
          kind: 'retry',
          taskId: fact.taskId,
          attempt: fact.attempt,
          outcome: fact.outcome,
          nextAttempt: fact.attempt + 1,
          delayMs,
          retryAt: new Date(Date.parse(context.now) + delayMs).toISOString(),
          ...defined(result),
        },
      ],
    };
  }

  const action = matched?.rule.then ?? 'continue';
  const changes: TaskChange[] = [
    {
      kind: 'finished',
      taskId: fact.taskId,
      attempt: fact.attempt,
      outcome: fact.outcome,
      handled: failed && matched !== undefined,
      ...defined(result),
      ...(matched
        ? {
            detail: `${fact.detail ? `${fact.detail}; ` : ''}outcomes[${matched.index}] matched: ${action}`,
          }
        : {}),
    },
  ];
  const state = overlay(tasks);
  apply(state, changes);

  if (action === 'stop-run') {
    const rest = cancelRun(state, `run stopped by ${fact.taskId} (outcomes[${matched?.index}])`);
    const stoppedChanges = rest.changes.map((c) =>
      c.kind === 'finished' && !c.abort ? { ...c, outcome: 'skipped' as const } : c,
    );
    apply(state, stoppedChanges);
    return {
      changes: [...changes, ...stoppedChanges],
      runOutcome: runOutcomeOf(state, true, false),
    };
  }

  // Forced skips: everything downstream, or the direct dependents a branch did not name.
  let forced: string[] = [];
  if (action === 'skip-downstream') forced = descendants(manifest, fact.taskId);
  else if (action === 'branch') {
    const chosen = new Set(matched?.rule.branch ?? []);
    forced = manifest.tasks
      .filter((t) => t.dependsOn.includes(fact.taskId) && !chosen.has(t.id))
      .map((t) => t.id);
  }
  for (const id of forced) {
    const t = viewIn(state, id);
    if (!t || t.status !== 'pending') continue;
    const skip: TaskChange = {
      kind: 'finished',
      taskId: id,
      attempt: t.attempt,
      outcome: 'skipped',
      handled: false,
      detail: `skipped by ${fact.taskId} (${action})`,
    };
    changes.push(skip);
    apply(state, [skip]);
  }

  // Trigger rules, to a fixed point: a skip can settle a join further down.
  changes.push(...settlePending(manifest, state));
  return { changes, runOutcome: runOutcomeOf(state, false, false) };
};

/** Every pending task whose trigger rule is now decided becomes ready or skipped (in `s`). */
const settlePending = (manifest: JobManifest, s: Overlay): TaskChange[] => {
  const changes: TaskChange[] = [];
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const task of manifest.tasks) {
      const view = viewIn(s, task.id);
      if (!view || view.status !== 'pending') continue;
      const verdict = triggerVerdict(task, s);
      if (verdict === 'wait') continue;
      const change: TaskChange =
        verdict === 'run'
          ? { kind: 'ready', taskId: task.id, attempt: view.attempt }
          : {
              kind: 'finished',
              taskId: task.id,
              attempt: view.attempt,
              outcome: 'skipped',
              handled: false,
              detail: `trigger rule ${task.trigger} can no longer be met`,
            };
      changes.push(change);
      apply(s, [change]);
      progressed = true;
    }
  }
  return changes;
};

type Verdict = 'run' | 'skip' | 'wait';

/**
 * all-succeeded: every upstream succeeded (a handled failure counts as expected); any upstream
 * failed or skipped means it can never run. any-failed: runs as soon as one upstream failed;
 * skipped once all are done without a failure. all-done: runs once every upstream is done.
 */
const triggerVerdict = (task: JobTask, s: Overlay): Verdict => {
  // One pass without allocations: called for every pending task of a run on every result.
  let done = 0;
  let notOk = false;
  let bad = false;
  for (const id of task.dependsOn) {
    const u = viewIn(s, id);
    if (u?.status !== 'done') continue;
    done++;
    if (u.outcome !== 'succeeded' && u.handled !== true) notOk = true;
    if (u.outcome !== undefined && FAILED.has(u.outcome) && !u.handled) bad = true;
  }
  const allDone = done === task.dependsOn.length;
  switch (task.trigger) {
    case 'all-succeeded':
      if (notOk) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'any-failed':
      if (bad) return 'run';
      return allDone ? 'skip' : 'wait';
    case 'all-done':
      return allDone ? 'run' : 'wait';
    default: {
      const unknown: never = task.trigger;
      throw new Error(`unknown trigger rule ${String(unknown)}`);
    }
  }
};

const descendants = (manifest: JobManifest, taskId: string): string[] => {
  const out: string[] = [];
  const seen = new Set<string>([taskId]);
  const queue = [taskId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const t of manifest.tasks)
      if (t.dependsOn.includes(id) && !seen.has(t.id)) {
        seen.add(t.id);
        out.push(t.id);
        queue.push(t.id);
      }
  }
  return out;
};
