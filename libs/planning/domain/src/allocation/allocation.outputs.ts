import type { Component } from '../policy/workload-facts';
import type {
  AllocationCandidate,
  ContractGroup,
  CouplingFlag,
  DeploymentStep,
  PlanAlert,
} from './allocation.types';
import { INCLUDED, byId, type Columns } from './allocation.columns';
import { adjacency, type Adjacency } from './allocation.graph';

/**
 * The included candidates' components, read in one pass for both coupling and deployment (each
 * pass over the component objects cost a cache miss per object at 100k candidates): candidate
 * `includedIdx[k]` has `slot[start[k]]` … before `slot[start[k + 1]]`, one number per name.
 */
export interface IncludedComponents {
  readonly start: Int32Array;
  readonly slot: Int32Array;
  readonly isDatabase: Uint8Array;
  readonly databases: number;
  readonly names: readonly string[];
  /** By k, like `start`. */
  readonly schemaChange: Uint8Array;
}

export const readIncludedComponents = (
  sorted: readonly AllocationCandidate[],
  includedIdx: readonly number[],
): IncludedComponents => {
  const m = includedIdx.length;
  const start = new Int32Array(m + 1);
  // Typed and grown by doubling (rarely): grown by push, long arrays were copied into fresh
  // memory several times per allocation.
  let slot = new Int32Array(2 * m + 16);
  let isDatabase = new Uint8Array(slot.length);
  let count = 0;
  let databases = 0;
  const names: string[] = [];
  const slotOf = new Map<string, number>();
  const schemaChange = new Uint8Array(m);
  for (let k = 0; k < m; k++) {
    const c = sorted[includedIdx[k] as number] as AllocationCandidate;
    const components = c.components;
    if (count + components.length > slot.length) {
      const capacity = 2 * (count + components.length);
      const grownSlot = new Int32Array(capacity);
      grownSlot.set(slot);
      slot = grownSlot;
      const grownIsDatabase = new Uint8Array(capacity);
      grownIsDatabase.set(isDatabase);
      isDatabase = grownIsDatabase;
    }
    for (let x = 0; x < components.length; x++) {
      const component = components[x] as Component;
      let s = slotOf.get(component.name);
      if (s === undefined) {
        s = names.length;
        slotOf.set(component.name, s);
        names.push(component.name);
      }
      slot[count] = s;
      if (component.kind === 'database') {
        isDatabase[count] = 1;
        databases++;
      }
      count++;
    }
    start[k + 1] = count;
    schemaChange[k] = c.schemaChange ? 1 : 0;
  }
  return { start, slot, isDatabase, databases, names, schemaChange };
};

/** Hidden coupling: different teams changing one component in the same release. */
export const couplingFlags = (
  ids: readonly string[],
  teams: readonly string[],
  teamOf: Int32Array,
  includedIdx: readonly number[],
  { start, slot: slotOf, names }: IncludedComponents,
): CouplingFlag[] => {
  // A component is shared once a second team touches it; then its teams and workloads are collected.
  const firstTeam = new Int32Array(names.length).fill(-1);
  const shared = new Uint8Array(names.length);
  let anyShared = false;
  for (let k = 0; k < includedIdx.length; k++) {
    const team = teamOf[includedIdx[k] as number] as number;
    for (let x = start[k] as number; x < (start[k + 1] as number); x++) {
      const slot = slotOf[x] as number;
      if (firstTeam[slot] === -1) firstTeam[slot] = team;
      else if (firstTeam[slot] !== team && shared[slot] === 0) {
        shared[slot] = 1;
        anyShared = true;
      }
    }
  }
  if (!anyShared) return [];
  const bySlot = new Map<number, { teams: Set<number>; ids: string[] }>();
  for (let slot = 0; slot < names.length; slot++)
    if (shared[slot] === 1) bySlot.set(slot, { teams: new Set(), ids: [] });
  for (let k = 0; k < includedIdx.length; k++) {
    const i = includedIdx[k] as number;
    for (let x = start[k] as number; x < (start[k + 1] as number); x++) {
      const entry = bySlot.get(slotOf[x] as number);
      if (!entry) continue;
      entry.teams.add(teamOf[i] as number);
      entry.ids.push(ids[i] as string);
    }
  }
  return [...bySlot.keys()]
    .sort((a, b) => byId(names[a] as string, names[b] as string))
    .map((slot) => {
      const component = names[slot] as string;
      const entry = bySlot.get(slot) as { teams: Set<number>; ids: string[] };
      // `teams` is in name order, so index order is name order.
      const teamNames = [...entry.teams].sort((a, b) => a - b).map((t) => teams[t] as string);
      return {
        component,
        teams: teamNames,
        workloadIds: entry.ids,
        reason: `teams ${teamNames.join(', ')} change ${component} in this release: integrated testing required`,
      };
    });
};

export interface Contracts {
  readonly groups: ContractGroup[];
  /** Included, unflagged members of groups that must deploy together, by candidate index. */
  readonly memberOf: ReadonlyMap<number, string>;
}

export const contractGroups = (
  sorted: readonly AllocationCandidate[],
  { ids: workloadIds, contracted }: Columns,
  state: Uint8Array,
  alerts: PlanAlert[],
): Contracts => {
  const byContract = new Map<
    string,
    { included: number[]; flagged: string[]; deferred: string[] }
  >();
  for (let x = 0; x < contracted.length; x++) {
    const i = contracted[x] as number;
    const c = sorted[i] as AllocationCandidate;
    if (!c.apiContract) continue;
    const contract = `${c.apiContract.api}@${c.apiContract.version}`;
    const entry = byContract.get(contract) ?? { included: [], flagged: [], deferred: [] };
    if (state[i] === INCLUDED) {
      if (c.featureFlag) entry.flagged.push(c.workloadId);
      else entry.included.push(i);
    } else if (!c.featureFlag) entry.deferred.push(c.workloadId);
    byContract.set(contract, entry);
  }
  const groups: ContractGroup[] = [];
  const memberOf = new Map<number, string>();
  for (const contract of [...byContract.keys()].sort(byId)) {
    const entry = byContract.get(contract)!;
    const ids = entry.included.map((i) => workloadIds[i] as string);
    if (ids.length > 0 && entry.deferred.length > 0) {
      alerts.push({
        type: 'ContractGroupSplit',
        contract,
        included: ids,
        deferred: entry.deferred,
        reason: `${contract} changes need synchronized deployment but ${entry.deferred.join(', ')} ${entry.deferred.length > 1 ? 'are' : 'is'} deferred`,
      });
    }
    if (ids.length + entry.flagged.length < 2) continue;
    groups.push({ contract, workloadIds: ids, decoupledByFlag: entry.flagged });
    if (ids.length >= 2) for (const i of entry.included) memberOf.set(i, contract);
  }
  return { groups, memberOf };
};

/**
 * Deployment waves for the included workloads: after every dependency; a database schema change
 * before the workloads that use that database (backward-compatible migrations first); members of
 * one contract group in one wave. If grouping or schema-first contradicts a declared dependency,
 * the weaker preference is dropped and an alert says so.
 */
export const orderDeployment = (
  ids: readonly string[],
  deps: Adjacency,
  includedIdx: readonly number[],
  components: IncludedComponents,
  sequence: Int32Array,
  contracts: Contracts,
  alerts: PlanAlert[],
): DeploymentStep[] => {
  const m = includedIdx.length;
  const local = new Int32Array(ids.length).fill(-1);
  includedIdx.forEach((i, k) => {
    local[i] = k;
  });
  // Edges as parallel arrays; explicit ones first so they can be used alone.
  const from = new Int32Array(deps.list.length + components.databases);
  const to = new Int32Array(from.length);
  let edges = 0;
  includedIdx.forEach((i, k) => {
    for (let e = deps.start[i] as number; e < (deps.start[i + 1] as number); e++) {
      const j = local[deps.list[e] as number] as number;
      if (j >= 0) {
        from[edges] = j;
        to[edges++] = k;
      }
    }
  });
  const explicitEdges = edges;
  // One virtual node per database, so writers × users edges stay linear.
  const databaseNode = new Int32Array(components.names.length).fill(-1);
  let databases = 0;
  for (let k = 0; k < m; k++) {
    const writes = components.schemaChange[k] === 1;
    for (let x = components.start[k] as number; x < (components.start[k + 1] as number); x++) {
      if (components.isDatabase[x] !== 1) continue;
      const slot = components.slot[x] as number;
      let v = databaseNode[slot] as number;
      if (v < 0) {
        v = m + databases++;
        databaseNode[slot] = v;
      }
      from[edges] = writes ? k : v;
      to[edges++] = writes ? v : k;
    }
  }
  const total = m + databases;

  const waves = (useGroups: boolean, edgeCount: number): Int32Array | undefined => {
    const parent = new Int32Array(total);
    for (let x = 0; x < total; x++) parent[x] = x;
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x] as number] as number;
        x = parent[x] as number;
      }
      return x;
    };
    if (useGroups) {
      const first = new Map<string, number>();
      includedIdx.forEach((i, k) => {
        const contract = contracts.memberOf.get(i);
        if (contract === undefined) return;
        const head = first.get(contract);
        if (head === undefined) first.set(contract, k);
        else parent[find(k)] = find(head);
      });
    }
    const a = new Int32Array(edgeCount);
    const b = new Int32Array(edgeCount);
    let kept = 0;
    for (let e = 0; e < edgeCount; e++) {
      const ra = find(from[e] as number);
      const rb = find(to[e] as number);
      if (ra !== rb) {
        a[kept] = ra;
        b[kept++] = rb;
      }
    }
    const successors = adjacency(total, a, b, kept);
    const indegree = new Int32Array(total);
    for (let e = 0; e < kept; e++) {
      const y = b[e] as number;
      indegree[y] = (indegree[y] as number) + 1;
    }
    const wave = new Int32Array(total);
    const queue = new Int32Array(total);
    let tail = 0;
    let roots = 0;
    for (let x = 0; x < total; x++) {
      if (find(x) !== x) continue;
      roots++;
      if (indegree[x] === 0) queue[tail++] = x;
    }
    for (let head = 0; head < tail; head++) {
      const x = queue[head] as number;
      // Real workloads take a wave; a database's virtual node only links writers to users.
      if (x < m) wave[x] = (wave[x] as number) + 1;
      for (let e = successors.start[x] as number; e < (successors.start[x + 1] as number); e++) {
        const y = successors.list[e] as number;
        if ((wave[y] as number) < (wave[x] as number)) wave[y] = wave[x] as number;
        indegree[y] = (indegree[y] as number) - 1;
        if (indegree[y] === 0) queue[tail++] = y;
      }
    }
    if (tail < roots) return undefined;
    const result = new Int32Array(m);
    for (let k = 0; k < m; k++) result[k] = wave[find(k)] as number;
    return result;
  };

  let grouped = contracts.memberOf.size > 0;
  let wave = waves(grouped, edges);
  if (!wave && grouped) {
    alerts.push({
      type: 'DeploymentOrderConflict',
      reason:
        'contract groups cannot deploy in one wave without breaking a declared dependency; deployed individually',
    });
    grouped = false;
    wave = waves(false, edges);
  }
  if (!wave) {
    alerts.push({
      type: 'DeploymentOrderConflict',
      reason:
        'a schema change depends on a workload that uses the same database; ordered by declared dependencies only',
    });
    wave = waves(false, explicitEdges) ?? new Int32Array(m).fill(1);
  }
  const waveOf = wave;
  // By wave, then in the order allocation considered them: counted by wave in `sequence` order.
  let lastWave = 0;
  for (let k = 0; k < m; k++) lastWave = Math.max(lastWave, waveOf[k] as number);
  const waveStart = new Int32Array(lastWave + 2);
  for (let k = 0; k < m; k++) {
    const w = (waveOf[k] as number) + 1;
    waveStart[w] = (waveStart[w] as number) + 1;
  }
  for (let w = 0; w <= lastWave; w++)
    waveStart[w + 1] = (waveStart[w + 1] as number) + (waveStart[w] as number);
  const steps = new Array<DeploymentStep>(m);
  for (let s = 0; s < sequence.length; s++) {
    const i = sequence[s] as number;
    const k = local[i] as number;
    if (k < 0) continue;
    const wave = waveOf[k] as number;
    const position = waveStart[wave] as number;
    waveStart[wave] = position + 1;
    const contract = grouped ? contracts.memberOf.get(i) : undefined;
    const workloadId = ids[i] as string;
    steps[position] =
      contract !== undefined ? { workloadId, wave, contract } : { workloadId, wave };
  }
  return steps;
};
