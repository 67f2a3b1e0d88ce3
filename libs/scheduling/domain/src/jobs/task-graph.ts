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
