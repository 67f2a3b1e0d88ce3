import type { TaskRunView } from '@trainyard/scheduling-domain';
import type { RunsState } from './flush-state';
import type { RunRow, TaskRow } from './runtime-records';

interface RunSnapshot {
  readonly run: RunRow & { environment: string };
  readonly tasks: Readonly<Record<string, TaskRunView>>;
  readonly rows: readonly TaskRow[];
}

/**
 * The state of runs as this instance's own flush committed it, kept for the runs whose next task
 * it handed off to itself (a chain's next result comes back here): that result is decided over
 * the snapshot instead of a read of the locked run, so recording it and starting the dependent
 * take one round trip. A snapshot is only a guess: the write appends the run's events at the
 * versions after the snapshot's, and every other change of a run's tasks appends events too, so a
 * snapshot that is out of date makes the append collide on the events' primary key (the
 * transaction fails whole) and the caller decides again over a locked read (issue 12, ADR 0016).
 */
export class RunSnapshots {
  private readonly byRun = new Map<string, RunSnapshot>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.byRun.size;
  }

  /** Every one of these runs has a snapshot. */
  has(runIds: readonly string[]): boolean {
    return runIds.every((id) => this.byRun.has(id));
  }

  /** Copies of every run's snapshot (the decider updates them in place), or undefined unless each is kept. */
  state(runIds: readonly string[]): RunsState | undefined {
    const state: RunsState = { runBy: new Map(), tasksBy: new Map(), rowBy: new Map() };
    for (const runId of runIds) {
      const s = this.byRun.get(runId);
      if (!s) return undefined;
      state.runBy.set(runId, { ...s.run });
      state.tasksBy.set(runId, { ...s.tasks });
      for (const row of s.rows) state.rowBy.set(`${row.run_id}/${row.task_id}`, row);
    }
    return state;
  }

  /** A run's state as a commit left it (the run still running). */
  keep(
    run: RunRow & { environment: string },
    tasks: Readonly<Record<string, TaskRunView>>,
    rows: readonly TaskRow[],
  ): void {
    this.byRun.delete(run.run_id);
    this.byRun.set(run.run_id, { run, tasks, rows });
    // Oldest first: a snapshot not used since is of a run whose task ran away from here.
    if (this.byRun.size > this.capacity) this.byRun.delete(this.byRun.keys().next().value!);
  }

  forget(runIds: Iterable<string>): void {
    for (const runId of runIds) this.byRun.delete(runId);
  }
}
