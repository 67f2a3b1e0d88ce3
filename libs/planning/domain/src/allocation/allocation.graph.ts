import {
  DEPENDENCY_CYCLE_RULE,
  findDependencyCycle,
  formatCycle,
} from '../dependencies/dependency-graph';
import { RuleViolation } from '@trainyard/kernel';
import type { AllocationCandidate } from './allocation.types';
import { byId, type Columns } from './allocation.columns';

/** Compressed adjacency: the neighbours of i are `list[start[i]] … list[start[i + 1] - 1]`. */
export interface Adjacency {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

/** The first `edges` pairs `from[e]` → `to[e]` as adjacency, in their order within each node. */
export const adjacency = (
  nodes: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  edges = from.length,
): Adjacency => {
  const start = new Int32Array(nodes + 1);
  for (let e = 0; e < edges; e++) {
    const f = (from[e] as number) + 1;
    start[f] = (start[f] as number) + 1;
  }
  for (let i = 0; i < nodes; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const fill = start.slice(0, nodes);
  const list = new Int32Array(edges);
  for (let e = 0; e < edges; e++) {
    const f = from[e] as number;
    list[fill[f] as number] = to[e] as number;
    fill[f] = (fill[f] as number) + 1;
  }
  return { start, list };
};

export interface Graph {
  /** Prerequisites among the candidates, by id within each node. */
  readonly deps: Adjacency;
  readonly dependents: Adjacency;
  /** First dependency (by id) that is neither a candidate nor released. */
  readonly externalBlocker: ReadonlyMap<number, string>;
  readonly topo: Int32Array;
}

/**
 * The first index from `from` on whose id is not below `id` in the sorted `ids`. Galloping, so a
 * merge reads a few ids per reference rather than every id it passes (each a cache miss at 100k).
 */
export const firstNotBelow = (ids: readonly string[], id: string, from: number): number => {
  const n = ids.length;
  let low = from;
  let high = from;
  for (let step = 1; high < n && (ids[high] as string) < id; step *= 2) {
    low = high + 1;
    high += step;
  }
  high = Math.min(high, n);
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ids[middle] as string) < id) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** The same edges read backwards; each node's sources come in ascending order. */
export const transpose = (nodes: number, forward: Adjacency): Adjacency => {
  const start = new Int32Array(nodes + 1);
  for (let e = 0; e < forward.list.length; e++) {
    const t = (forward.list[e] as number) + 1;
    start[t] = (start[t] as number) + 1;
  }
  for (let i = 0; i < nodes; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const fill = start.slice(0, nodes);
  const list = new Int32Array(forward.list.length);
  for (let i = 0; i < nodes; i++) {
    for (let e = forward.start[i] as number; e < (forward.start[i + 1] as number); e++) {
      const t = forward.list[e] as number;
      list[fill[t] as number] = i;
      fill[t] = (fill[t] as number) + 1;
    }
  }
  return { start, list };
};

/** `graph` with node `order[p]` renumbered `p` (`at` is the inverse); neighbour order is kept. */
export const relabel = (graph: Adjacency, order: Int32Array, at: Int32Array): Adjacency => {
  const nodes = order.length;
  const start = new Int32Array(nodes + 1);
  const list = new Int32Array(graph.list.length);
  for (let p = 0, e = 0; p < nodes; p++) {
    const i = order[p] as number;
    for (let x = graph.start[i] as number; x < (graph.start[i + 1] as number); x++)
      list[e++] = at[graph.list[x] as number] as number;
    start[p + 1] = e;
  }
  return { start, list };
};

/**
 * Adjacency over candidate indexes plus a plain Kahn order; refuses a cycle, naming it.
 *
 * Dependency ids are resolved by merging the id-sorted references with the id-sorted candidates
 * (`ids`): a map over all candidates was a large, randomly probed structure that grew slower
 * than linear at 100k candidates, while the references are far fewer.
 */
export const buildGraph = (
  sorted: readonly AllocationCandidate[],
  { ids, referenceOwner: owner, reference }: Columns,
  released: ReadonlySet<string>,
): Graph => {
  const n = sorted.length;
  const references = reference.length;
  const byReference = new Int32Array(references);
  for (let r = 0; r < references; r++) byReference[r] = r;
  byReference.sort((a, b) => byId(reference[a] as string, reference[b] as string));
  const target = new Int32Array(references);
  for (let k = 0, j = 0; k < references; k++) {
    const r = byReference[k] as number;
    const id = reference[r] as string;
    j = firstNotBelow(ids, id, j);
    target[r] = j < n && ids[j] === id ? j : -1;
  }
  // Filled in reference id order, so each node's prerequisites are in id (= index) order and a
  // repeated one is adjacent to itself; the first unknown, unreleased one is its external blocker.
  const start = new Int32Array(n + 1);
  for (let r = 0; r < references; r++) {
    if ((target[r] as number) < 0) continue;
    const i = (owner[r] as number) + 1;
    start[i] = (start[i] as number) + 1;
  }
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const fill = start.slice(0, n);
  const list = new Int32Array(start[n] as number);
  const externalBlocker = new Map<number, string>();
  for (let k = 0; k < references; k++) {
    const r = byReference[k] as number;
    const i = owner[r] as number;
    const j = target[r] as number;
    if (j >= 0) {
      list[fill[i] as number] = j;
      fill[i] = (fill[i] as number) + 1;
    } else if (!externalBlocker.has(i) && !released.has(reference[r] as string)) {
      externalBlocker.set(i, reference[r] as string);
    }
  }
  let edges = 0;
  for (let i = 0; i < n; i++) {
    const from = start[i] as number;
    const to = start[i + 1] as number;
    start[i] = edges;
    for (let e = from, previous = -1; e < to; e++) {
      const j = list[e] as number;
      if (j !== previous) list[edges++] = j;
      previous = j;
    }
  }
  start[n] = edges;
  const deps: Adjacency = { start, list: edges < list.length ? list.subarray(0, edges) : list };
  const dependents = transpose(n, deps);
  const indegree = new Int32Array(n);
  for (let i = 0; i < n; i++)
    indegree[i] = (deps.start[i + 1] as number) - (deps.start[i] as number);
  const topo = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (indegree[i] === 0) topo[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const i = topo[head] as number;
    for (let e = dependents.start[i] as number; e < (dependents.start[i + 1] as number); e++) {
      const d = dependents.list[e] as number;
      indegree[d] = (indegree[d] as number) - 1;
      if (indegree[d] === 0) topo[tail++] = d;
    }
  }
  if (tail < n) {
    const remaining = sorted.filter((_, i) => (indegree[i] as number) > 0);
    const cycle = findDependencyCycle(remaining) ?? remaining.map((c) => c.workloadId);
    throw new RuleViolation(DEPENDENCY_CYCLE_RULE, `dependency cycle: ${formatCycle(cycle)}`);
  }
  return { deps, dependents, externalBlocker, topo };
};
