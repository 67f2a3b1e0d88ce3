// The SLA watch's candidates (issue 12, item 5): each run with an SLA that may still miss it, with
// its DAG and what its tasks are doing, shaped from the read model's run and task rows.
import type { TaskNode } from '../task-graph';

/** What a run's task is doing, as the SLA watch needs it to predict the run's finish. */
export interface SlaCandidateTask {
  readonly taskId: string;
  readonly state: string;
  readonly startedAt: string | null;
}

/** One active or recently ended run with an SLA: what the SLA watch judges. */
export interface SlaCandidate<Run> {
  readonly run: Run;
  readonly slaSeconds: number;
  readonly dag: readonly TaskNode[];
  readonly predictedLate: boolean;
  readonly tasks: readonly SlaCandidateTask[];
}

/**
 * The candidates in the runs' order, each with the tasks recorded for its run (none yet: `[]`).
 * A task of a run that is not a candidate is ignored.
 */
export const slaCandidatesOf = <Run extends { readonly runId: string }>(
  runs: readonly Omit<SlaCandidate<Run>, 'tasks'>[],
  tasks: readonly (SlaCandidateTask & { readonly runId: string })[],
): SlaCandidate<Run>[] => {
  const byRun = new Map<string, SlaCandidateTask[]>(runs.map((c) => [c.run.runId, []]));
  for (const { runId, taskId, state, startedAt } of tasks)
    byRun.get(runId)?.push({ taskId, state, startedAt });
  return runs.map((c) => ({ ...c, tasks: byRun.get(c.run.runId) ?? [] }));
};
