// A job run as a timeline (issue 12, item 5): the run's DAG with each task's recorded facts, in
// dependency order, each task with its children and depth (the tree a portal draws) and its start
// offset from the run's start.
import { taskDepths, type TaskNode } from '../task-graph';

/** One attempt of a task, as the run recorded it. */
export interface TaskAttemptFacts {
  readonly attempt: number;
  readonly worker: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly outcome: string | null;
  readonly detail: string | null;
}

/** What the run recorded of one task (its latest attempt, and every attempt in `history`). */
export interface TaskRunFacts {
  readonly taskId: string;
  readonly state: string;
  readonly attempts: number;
  /** The first attempt's start: where the task sits on the run's timeline. */
  readonly firstStartedAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly outcome: string | null;
  readonly worker: string | null;
  readonly pools: readonly string[];
  readonly detail: string | null;
  readonly history: readonly TaskAttemptFacts[];
}

export interface TimelineTask {
  readonly taskId: string;
  readonly dependsOn: readonly string[];
  /** Tasks that depend on it: the tree's children. */
  readonly children: readonly string[];
  /** Longest dependency chain above it (roots 0): the tree's indentation. */
  readonly depth: number;
  readonly state: string;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  /** From the run's start to the task's first start. */
  readonly startOffsetMs: number | null;
  readonly outcome: string | null;
  readonly worker: string | null;
  readonly pools: readonly string[];
  readonly detail: string | null;
  readonly history: readonly TaskAttemptFacts[];
}

/**
 * The DAG with each task's run facts, parents before children (depth = longest chain above, ties
 * by task id). A task the run recorded that the DAG does not know (a version missing from the
 * read model) is shown as a root; a task of the DAG without facts is `pending`.
 */
export const runTimelineTasks = (
  runStartedAt: string | null,
  dag: readonly TaskNode[],
  facts: readonly TaskRunFacts[],
): TimelineTask[] => {
  const factsOf = new Map(facts.map((f) => [f.taskId, f]));
  const known = new Set(dag.map((t) => t.id));
  const nodes: TaskNode[] = [
    ...dag,
    ...[...factsOf.keys()].filter((id) => !known.has(id)).map((id) => ({ id, dependsOn: [] })),
  ];
  const depth = taskDepths(nodes);
  const runStart = runStartedAt ? Date.parse(runStartedAt) : undefined;
  return [...nodes]
    .sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0) || (a.id < b.id ? -1 : 1))
    .map((n) => {
      const f = factsOf.get(n.id);
      const first = f?.firstStartedAt ?? null;
      return {
        taskId: n.id,
        dependsOn: [...n.dependsOn],
        children: nodes
          .filter((c) => c.dependsOn.includes(n.id))
          .map((c) => c.id)
          .sort(),
        depth: depth.get(n.id) ?? 0,
        state: f?.state ?? 'pending',
        attempts: f?.attempts ?? 0,
        startedAt: f?.startedAt ?? null,
        finishedAt: f?.finishedAt ?? null,
        durationMs: f?.durationMs ?? null,
        startOffsetMs: first && runStart !== undefined ? Date.parse(first) - runStart : null,
        outcome: f?.outcome ?? null,
        worker: f?.worker ?? null,
        pools: f?.pools ?? [],
        detail: f?.detail ?? null,
        history: f?.history ?? [],
      };
    });
};
