import { RuleViolation } from '@trainyard/kernel';

export interface DependencyNode {
  readonly workloadId: string;
  readonly dependsOn: readonly string[];
}

/** "A → B → C → A", read "A depends on B, which depends on C, which depends on A". */
export const formatCycle = (cycle: readonly string[]): string => [...cycle, cycle[0]].join(' → ');

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rotated to start at its smallest id, so the same cycle is always named the same way. */
const canonical = (cycle: readonly string[]): string[] => {
  let start = 0;
  cycle.forEach((id, i) => {
    if (id < (cycle[start] ?? id)) start = i;
  });
  return [...cycle.slice(start), ...cycle.slice(0, start)];
};

/**
 * One dependency cycle among `nodes` (edges to ids outside `nodes` are ignored), or undefined.
 * Iterative DFS in id order — O(n + e), deterministic whatever the input order.
 */
export const findDependencyCycle = (
  nodes: readonly DependencyNode[],
): readonly string[] | undefined => {
  const ids = nodes.map((n) => n.workloadId).sort(byId);
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const adjacency: number[][] = ids.map(() => []);
  for (const node of nodes) {
    const from = index.get(node.workloadId) ?? -1;
    const targets = [...new Set(node.dependsOn)].sort(byId);
    for (const dep of targets) {
      const to = index.get(dep);
      if (to !== undefined) adjacency[from]?.push(to);
    }
  }
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Uint8Array(ids.length);
  const cursor = new Int32Array(ids.length);
  const stack: number[] = [];
  for (let root = 0; root < ids.length; root++) {
    if (colour[root] !== WHITE) continue;
    stack.push(root);
    colour[root] = GREY;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as number;
      const next = adjacency[top]?.[cursor[top] as number];
      if (next === undefined) {
        colour[top] = BLACK;
        stack.pop();
        continue;
      }
      cursor[top] = (cursor[top] as number) + 1;
      if (colour[next] === GREY) {
        const cycle = stack.slice(stack.indexOf(next)).map((i) => ids[i] as string);
        return canonical(cycle);
      }
      if (colour[next] === WHITE) {
        colour[next] = GREY;
        stack.push(next);
      }
    }
  }
  return undefined;
};

export const DEPENDENCY_CYCLE_RULE = 'dependency-acyclic';

export const assertAcyclic = (nodes: readonly DependencyNode[]): void => {
  const cycle = findDependencyCycle(nodes);
  if (cycle)
    throw new RuleViolation(DEPENDENCY_CYCLE_RULE, `dependency cycle: ${formatCycle(cycle)}`);
};

/**
 * The cycle that registering `workloadId` with `dependsOn` would close through the already known
 * dependencies (a workload may have been named as a dependency before it was registered).
 * Breadth-first, so the shortest such cycle is named.
 */
export const findCycleThrough = (
  workloadId: string,
  dependsOn: readonly string[],
  known: ReadonlyMap<string, readonly string[]>,
): readonly string[] | undefined => {
  const parent = new Map<string, string>();
  const queue: string[] = [];
  for (const dep of [...new Set(dependsOn)].sort(byId)) {
    if (dep === workloadId) return [workloadId];
    if (!parent.has(dep)) {
      parent.set(dep, workloadId);
      queue.push(dep);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head] as string;
    for (const next of [...(known.get(current) ?? [])].sort(byId)) {
      if (next === workloadId) {
        const path = [current];
        let at = parent.get(current);
        while (at !== undefined && at !== workloadId) {
          path.unshift(at);
          at = parent.get(at);
        }
        return [workloadId, ...path];
      }
      if (!parent.has(next)) {
        parent.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
};
