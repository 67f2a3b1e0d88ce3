import type { TaskRunView } from '@trainyard/scheduling-domain';
import type { Pipeline } from './pipeline';
import type { RuntimeContext } from './runtime-context';
import type { Claimed, RunRow, TaskRow } from './runtime-records';

/**
 * The state the result flush decides over (issue 12): read from the locked runs, or taken from
 * the snapshot its last commit left (RunSnapshots); and the snapshots kept after a commit.
 */

/** What the result flush decides over: the locked runs, their tasks' views, their running rows. */
export interface RunsState {
  readonly runBy: Map<string, RunRow & { environment: string }>;
  readonly tasksBy: Map<string, Record<string, TaskRunView>>;
  /** The rows of running tasks (`<run>/<task>`): their start and lease. */
  readonly rowBy: Map<string, TaskRow>;
}

/**
 * The runs locked in id order (one writer per stream), then their tasks read by a second
 * statement: under READ COMMITTED a statement that waited for a lock re-reads only the locked
 * rows (the run rows it returns are their latest versions), so task rows joined to them would be
 * the state from before the wait. Of a task only what the decider reads; its times only while it
 * runs (a run's finished tasks are most of its rows). Ordered by the primary key so that, with
 * sorts off, the plan is that index: this statement's generic plan scanned the whole table when
 * the statistics were missing (a fresh schema under a flood).
 */
export async function lockAndRead(
  ctx: RuntimeContext,
  tx: Pipeline,
  runIds: readonly string[],
): Promise<RunsState> {
  const [{ rows: runRows }, { rows: taskRows }] = await Promise.all([
    tx.query<RunRow & { environment: string }>(
      ctx.named(
        'lockruns',
        `SELECT run_id, job, job_version, team, nominal_time, state, event_version, started_at,
              cancelled_by, environment
         FROM ${ctx.t.runs} WHERE run_id = ANY($1::text[]) ORDER BY run_id FOR UPDATE`,
        [runIds],
      ),
    ),
    tx.queryArrays<TaskColumns>({
      ...ctx.named(
        'readtasks',
        `SELECT run_id, task_id, status, attempt, outcome, handled,
              CASE WHEN status = 'running' THEN started_at END AS started_at,
              CASE WHEN status = 'running' THEN lease_expires_at END AS lease_expires_at
         FROM ${ctx.t.tasks} WHERE run_id = ANY($1::text[]) ORDER BY run_id, task_id`,
        [runIds],
      ),
      rowMode: 'array',
    }),
  ]);
  const state: RunsState = { runBy: new Map(), tasksBy: new Map(), rowBy: new Map() };
  for (const run of runRows) state.runBy.set(run.run_id, run);
  for (const [run_id, task_id, status, attempt, outcome, handled, started_at, lease] of taskRows) {
    let map = state.tasksBy.get(run_id);
    if (!map) state.tasksBy.set(run_id, (map = {}));
    const view: TaskRunView = outcome ? { status, attempt, outcome } : { status, attempt };
    map[task_id] = handled ? { ...view, handled } : view;
    if (status === 'running')
      state.rowBy.set(`${run_id}/${task_id}`, {
        run_id,
        task_id,
        status,
        attempt,
        outcome,
        handled,
        started_at,
        lease_expires_at: lease,
      });
  }
  return state;
}

/**
 * After a commit: the state it left of each run still running that it handed a task off to (its
 * result comes back here) or whose snapshot it used or replaced; the others' are dropped.
 */
export function keepSnapshots(
  ctx: RuntimeContext,
  runIds: readonly string[],
  state: RunsState,
  versions: ReadonlyMap<string, number>,
  handoff: readonly Claimed[],
  now: number,
): void {
  const handedOff = new Set<string>();
  for (const c of handoff) {
    const tasks = state.tasksBy.get(c.run.run_id);
    if (!tasks) {
      // Another run's ready task, claimed with a free worker: that run's snapshot is out of date.
      ctx.snapshots.forget([c.run.run_id]);
      continue;
    }
    handedOff.add(c.run.run_id);
    tasks[c.task.id] = { status: 'running', attempt: c.attempt };
    state.rowBy.set(`${c.run.run_id}/${c.task.id}`, {
      run_id: c.run.run_id,
      task_id: c.task.id,
      status: 'running',
      attempt: c.attempt,
      outcome: null,
      handled: false,
      started_at: new Date(now),
      lease_expires_at: new Date(now + ctx.o.leaseMs),
    });
  }
  if (handedOff.size === 0 && ctx.snapshots.size === 0) return; // no chain here (most flushes)
  const rows = new Map<string, TaskRow[]>();
  for (const row of state.rowBy.values()) {
    let list = rows.get(row.run_id);
    if (!list) rows.set(row.run_id, (list = []));
    if (state.tasksBy.get(row.run_id)?.[row.task_id]?.status === 'running') list.push(row);
  }
  for (const runId of runIds) {
    const run = state.runBy.get(runId);
    const tasks = state.tasksBy.get(runId);
    if (
      !run ||
      !tasks ||
      run.state !== 'running' ||
      (!handedOff.has(runId) && !ctx.snapshots.has([runId]))
    ) {
      ctx.snapshots.forget([runId]);
      continue;
    }
    ctx.snapshots.keep(
      { ...run, event_version: versions.get(runId)! },
      tasks,
      rows.get(runId) ?? [],
    );
  }
}

/** A task row as `readtasks` returns it (rows as arrays: a run's tasks are read on every result). */
type TaskColumns = [
  run_id: string,
  task_id: string,
  status: TaskRow['status'],
  attempt: number,
  outcome: TaskRow['outcome'],
  handled: boolean,
  started_at: Date | null,
  lease_expires_at: Date | null,
];
