import { isObject, own, show, type Problems } from './job-manifest.problems';
import type { JobTask, TaskOutcomeRule } from './job-manifest.types';
import { findTaskCycle, formatCycle } from './task-graph';

/** A task's outcome rules, kept to check their `branch` targets once every task is known. */
export type TaskBranches = {
  readonly index: number;
  readonly id: string | undefined;
  readonly outcomes: readonly TaskOutcomeRule[];
};

export const validateDependsOn = (
  value: unknown,
  path: string,
  id: string | undefined,
  known: ReadonlyMap<string, number>,
  p: Problems,
): string[] | undefined => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    p.add(path, `${path} must be a list of task ids; got ${show(value)}.`);
    return undefined;
  }
  let ok = true;
  value.forEach((dep, j) => {
    const field = `${path}[${j}]`;
    if (typeof dep !== 'string') {
      p.add(field, `${field} must be a task id; got ${show(dep)}.`);
      ok = false;
    } else if (!known.has(dep)) {
      p.add(field, `${field} refers to ${show(dep)}, which is not a task of this job.`);
      ok = false;
    } else if (dep === id) {
      p.add(field, `${field} names the task itself, a dependency cycle: ${id} → ${id}.`);
      ok = false;
    }
  });
  return ok ? [...new Set(value as string[])].sort() : undefined;
};

/**
 * Once every task is valid: each `branch` names a direct dependent of its task, and the
 * dependencies close no cycle. False when a problem was added.
 */
export const checkTaskGraph = (
  value: readonly unknown[],
  tasks: readonly JobTask[],
  branches: readonly TaskBranches[],
  p: Problems,
): boolean => {
  const before = p.list.length;
  // `branch` names direct dependents of its task: only they are chosen between when it finishes.
  for (const { index, id, outcomes } of branches)
    outcomes.forEach((rule, r) =>
      (rule.branch ?? []).forEach((target, b) => {
        const dependent = tasks.find((t) => t.id === target);
        if (dependent === undefined || !dependent.dependsOn.includes(id ?? ''))
          p.add(
            `tasks[${index}].outcomes[${r}].branch[${b}]`,
            `tasks[${index}].outcomes[${r}].branch[${b}] must name a task that depends directly on ${id ?? 'this task'}; got ${show(target)}.`,
          );
      }),
    );
  if (p.list.length > before) return false;
  const cycle = findTaskCycle(tasks);
  if (cycle !== undefined) {
    const index = value.findIndex((t) => isObject(t) && own(t, 'id') === cycle[0]);
    p.add(
      `tasks[${index}].dependsOn`,
      `tasks[${index}].dependsOn closes a dependency cycle: ${formatCycle(cycle)}.`,
    );
    return false;
  }
  return true;
};
