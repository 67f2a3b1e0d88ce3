/** The task DAG of a job manifest: finding a dependency cycle to name it. */
export interface TaskNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** `a → b → c → a` */
export const formatCycle = (cycle: readonly string[]): string => [...cycle, cycle[0]].join(' → ');

/** Rotated to start at its smallest id, so the same cycle is always named the same way. */
const rotated = (cycle: readonly string[]): string[] => {
  let start = 0;
  cycle.forEach((id, i) => {
    if (id < (cycle[start] ?? id)) start = i;
  });
  return [...cycle.slice(start), ...cycle.slice(0, start)];
};

/**
 * One dependency cycle, in dependency order (`a` depends on `b` … depends on `a`), or undefined
 * when the tasks form a DAG. Iterative, so a 500-task chain cannot overflow the stack; edges to
 * unknown ids are ignored (the validator reports them on their own).
 */
export const findTaskCycle = (tasks: readonly TaskNode[]): string[] | undefined => {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  for (const root of tasks) {
    if (state.has(root.id)) continue;
    const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    state.set(root.id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number };
      const deps = byId.get(top.id)?.dependsOn ?? [];
      if (top.next >= deps.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const dep = deps[top.next++] as string;
      if (!byId.has(dep)) continue;
      const s = state.get(dep);
      if (s === 1) {
        const from = stack.findIndex((f) => f.id === dep);
        return rotated(stack.slice(from).map((f) => f.id));
      }
      if (s === undefined) {
        state.set(dep, 1);
        stack.push({ id: dep, next: 0 });
      }
    }
  }
  return undefined;
};

/**
 * Tasks in dependency order (Kahn, ties by id); tasks in a cycle or depending on one come last, by
 * id. Edges to unknown ids are ignored.
 */
export const tasksInDependencyOrder = <T extends TaskNode>(tasks: readonly T[]): T[] => {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const indegree = new Map(tasks.map((t) => [t.id, t.dependsOn.filter((d) => byId.has(d)).length]));
  const dependents = new Map<string, string[]>();
  for (const t of tasks)
    for (const d of t.dependsOn)
      if (byId.has(d)) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  const ready = tasks
    .filter((t) => indegree.get(t.id) === 0)
    .map((t) => t.id)
    .sort();
  const out: T[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    out.push(byId.get(id) as T);
    for (const next of dependents.get(id) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) {
        ready.push(next);
        ready.sort();
      }
    }
  }
  const placed = new Set(out.map((t) => t.id));
  return [...out, ...tasks.filter((t) => !placed.has(t.id)).sort((a, b) => (a.id < b.id ? -1 : 1))];
};

/**
 * Each task's depth: 0 without known dependencies, else one more than its deepest dependency (the
 * longest chain above it). Tasks in a cycle or depending on one are at depth 0.
 */
export const taskDepths = (tasks: readonly TaskNode[]): Map<string, number> => {
  const known = new Set(tasks.map((t) => t.id));
  // Depths of tasks whose every known dependency is placed before them (not in or after a cycle).
  const resolved = new Map<string, number>();
  const depth = new Map<string, number>();
  for (const t of tasksInDependencyOrder(tasks)) {
    const deps = t.dependsOn.filter((d) => known.has(d));
    if (deps.every((d) => resolved.has(d))) {
      const d = deps.length === 0 ? 0 : Math.max(...deps.map((x) => resolved.get(x) as number)) + 1;
      resolved.set(t.id, d);
      depth.set(t.id, d);
    } else depth.set(t.id, 0);
  }
  return depth;
};
