import { capacityFromHistory, coldStartCapacity } from '../capacity/velocity';
import {
  DEPENDENCY_CYCLE_RULE,
  findDependencyCycle,
  formatCycle,
} from '../dependencies/dependency-graph';
import { flagDeprecatedApiUsage, sunsetApiVersion } from '../dependencies/api-deprecation';
import { findVersionSkew } from '../dependencies/version-skew';
import type { ChangeType, PlanningPolicy } from '../policy/planning-policy';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import type { Component } from '../policy/workload-facts';
import { formatScore } from '../prioritization/wsjf';
import { IndexHeap } from '../shared/binary-heap';
import { ISO_INSTANT, assertIsoInstant, assertNonEmpty } from '../shared/command-metadata';
import { RuleViolationError, ValidationError } from '../shared/domain-error';
import type {
  AllocationCandidate,
  AllocationInput,
  ContractGroup,
  CouplingFlag,
  DeploymentStep,
  Plan,
  PlanAlert,
  PlanEntry,
  TeamAllocation,
} from './allocation.types';

const INCLUDED = 1;
const DEFERRED = 2;
/** Did not fit in pass A; reconsidered once unused tech-debt reserve returns to the general pool. */
const PENDING = 3;

const TIER_COMPLIANCE = 0;
const TIER_NEGOTIATED = 1;
const TIER_NORMAL = 2;

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compressed adjacency: the neighbours of i are `list[start[i]] … list[start[i + 1] - 1]`. */
interface Adjacency {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

/** The first `edges` pairs `from[e]` → `to[e]` as adjacency, in their order within each node. */
const adjacency = (
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

interface Graph {
  /** Prerequisites among the candidates, by id within each node. */
  readonly deps: Adjacency;
  readonly dependents: Adjacency;
  /** First dependency (by id) that is neither a candidate nor released. */
  readonly externalBlocker: ReadonlyMap<number, string>;
  readonly topo: Int32Array;
}

const KIND_OTHER = 0;
const KIND_TECH_DEBT = 1;
const KIND_COMPLIANCE = 2;

/**
 * The facts allocation works on, one array per field in id order, read in one pass over the
 * candidate objects: at 100k candidates each further pass over those scattered objects cost a
 * cache miss per candidate.
 */
interface Columns {
  readonly ids: readonly string[];
  /** Each candidate's team as a number in order of first appearance, naming `teamNames`. */
  readonly teamSeen: Int32Array;
  readonly teamNames: readonly string[];
  /** Every dependency reference: the candidate that declares it and the id it names. */
  readonly referenceOwner: readonly number[];
  readonly reference: readonly string[];
  /** Candidates with an API contract. */
  readonly contracted: readonly number[];
  readonly changeType: readonly ChangeType[];
  readonly registeredAtMs: Float64Array;
  readonly costOfDelay: Float64Array;
  readonly jobSize: Float64Array;
  readonly kind: Uint8Array;
}

/**
 * `x` itself, as a small integer when it is one: a plan entry field first filled from a
 * Float64Array becomes a double field, which V8 boxes in a heap object per entry (100k of them).
 */
const small = (x: number): number => ((x | 0) === x && (x !== 0 || 1 / x > 0) ? x | 0 : x);

const isNonEmpty = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
const isNonNegative = (value: number): boolean => Number.isFinite(value) && value >= 0;
const negativeValueField = (c: AllocationCandidate): string | undefined =>
  !isNonNegative(c.businessValue)
    ? 'businessValue'
    : !isNonNegative(c.timeCriticality)
      ? 'timeCriticality'
      : !isNonNegative(c.riskReduction)
        ? 'riskReduction'
        : undefined;

/** Validates the (id-sorted) candidates while reading their columns. */
const readColumns = (sorted: readonly AllocationCandidate[]): Columns => {
  const n = sorted.length;
  const ids = new Array<string>(n);
  const teamSeen = new Int32Array(n);
  const teamNames: string[] = [];
  const teamNumber = new Map<string, number>();
  const referenceOwner: number[] = [];
  const reference: string[] = [];
  const contracted: number[] = [];
  const changeType = new Array<ChangeType>(n);
  const registeredAtMs = new Float64Array(n);
  const costOfDelay = new Float64Array(n);
  const jobSize = new Float64Array(n);
  const kind = new Uint8Array(n);
  // Field names are only built for an error: one string per candidate is garbage at 100k.
  for (let i = 0; i < n; i++) {
    const c = sorted[i] as AllocationCandidate;
    assertNonEmpty('candidates.workloadId', c.workloadId);
    if (i > 0 && sorted[i - 1]?.workloadId === c.workloadId)
      throw new ValidationError('candidates', `workload ${c.workloadId} is a candidate twice`);
    if (!isNonEmpty(c.team)) assertNonEmpty(`candidates[${c.workloadId}].team`, c.team);
    if (!(Number.isFinite(c.jobSize) && c.jobSize > 0))
      throw new ValidationError(
        `candidates[${c.workloadId}].jobSize`,
        'jobSize must be a positive number',
      );
    const field = negativeValueField(c);
    if (field !== undefined)
      throw new ValidationError(`candidates[${c.workloadId}].${field}`, `${field} must be ≥ 0`);
    const ms = Date.parse(c.registeredAt);
    if (Number.isNaN(ms) || !ISO_INSTANT.test(c.registeredAt))
      throw new ValidationError(
        `candidates[${c.workloadId}].registeredAt`,
        'registeredAt must be an ISO-8601 instant',
      );
    ids[i] = c.workloadId;
    let team = teamNumber.get(c.team);
    if (team === undefined) {
      team = teamNames.length;
      teamNumber.set(c.team, team);
      teamNames.push(c.team);
    }
    teamSeen[i] = team;
    const dependsOn = c.dependsOn;
    for (let d = 0; d < dependsOn.length; d++) {
      referenceOwner.push(i);
      reference.push(dependsOn[d] as string);
    }
    if (c.apiContract) contracted.push(i);
    changeType[i] = c.changeType;
    registeredAtMs[i] = ms;
    costOfDelay[i] = c.businessValue + c.timeCriticality + c.riskReduction;
    jobSize[i] = c.jobSize;
    kind[i] =
      c.changeType === 'compliance-audit'
        ? KIND_COMPLIANCE
        : c.changeType === 'technical-debt'
          ? KIND_TECH_DEBT
          : KIND_OTHER;
  }
  return {
    ids,
    teamSeen,
    teamNames,
    referenceOwner,
    reference,
    contracted,
    changeType,
    registeredAtMs,
    costOfDelay,
    jobSize,
    kind,
  };
};

/**
 * The first index from `from` on whose id is not below `id` in the sorted `ids`. Galloping, so a
 * merge reads a few ids per reference rather than every id it passes (each a cache miss at 100k).
 */
const firstNotBelow = (ids: readonly string[], id: string, from: number): number => {
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
const transpose = (nodes: number, forward: Adjacency): Adjacency => {
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
const relabel = (graph: Adjacency, order: Int32Array, at: Int32Array): Adjacency => {
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
const buildGraph = (
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
    throw new RuleViolationError(DEPENDENCY_CYCLE_RULE, `dependency cycle: ${formatCycle(cycle)}`);
  }
  return { deps, dependents, externalBlocker, topo };
};

const resolveCapacity = (
  input: AllocationInput,
  teams: readonly string[],
  policy: PlanningPolicy,
): ReadonlyMap<string, number> => {
  const capacity = new Map<string, number>();
  if (input.capacityByTeam === undefined) {
    const estimate = capacityFromHistory({
      history: input.history ?? [],
      teams,
      trainId: input.release.trainId,
      policy,
    });
    for (const t of estimate.teams) capacity.set(t.team, t.capacity);
  } else {
    for (const team of teams)
      capacity.set(team, input.capacityByTeam[team] ?? coldStartCapacity(team, policy));
  }
  for (const [team, value] of capacity) {
    if (!(Number.isFinite(value) && value >= 0))
      throw new ValidationError(
        `capacityByTeam.${team}`,
        `capacity of ${team} must be a number ≥ 0`,
      );
  }
  return capacity;
};

/**
 * Decides, for one release, which candidates are included and why the rest are deferred.
 *
 * Order: candidates are taken from a priority queue of those whose dependencies are already
 * decided (Kahn's algorithm), best first — compliance/audit, then negotiated-in, then WSJF with
 * its deterministic tie-breaks. A prerequisite inherits the priority of the best workload that
 * (transitively) needs it, so a low-value enabler is not starved by its own low score.
 *
 * Capacity: the release total is the sum of team capacities. No team exceeds min(its capacity,
 * team cap share × total). Tech debt draws on its reserve first, then on the general pool;
 * everything else draws on the general pool only (compliance may also use the reserve). Whatever
 * reserve is left after every candidate has been considered returns to the general pool, and the
 * candidates that did not fit get a second pass in the same order.
 *
 * O((n + e) log n) for n candidates and e dependency edges.
 */
export const allocate = (input: AllocationInput): Plan => {
  const policy = input.policy ?? DEFAULT_PLANNING_POLICY;
  assertNonEmpty('release.releaseId', input.release.releaseId);
  assertNonEmpty('release.trainId', input.release.trainId);
  const sorted = [...input.candidates].sort((a, b) => byId(a.workloadId, b.workloadId));
  const columns = readColumns(sorted);
  const { ids, teamSeen, teamNames, changeType, registeredAtMs, costOfDelay, jobSize, kind } =
    columns;
  const n = sorted.length;
  const released = new Set(input.releasedWorkloadIds ?? []);
  const { deps, dependents, externalBlocker, topo } = buildGraph(sorted, columns, released);
  const excluded = new Set(input.negotiated?.exclude ?? []);
  const negotiatedIn = new Set(input.negotiated?.include ?? []);
  const apiLifecycles = input.apiLifecycles ?? [];
  if (input.asOf !== undefined) assertIsoInstant('asOf', input.asOf);
  // Candidates consuming an API version removed by the time the release ships (few, so a map).
  const removedApi = new Map<number, string>();
  if (apiLifecycles.length > 0 && input.asOf !== undefined) {
    for (let i = 0; i < n; i++) {
      const removed = sunsetApiVersion(sorted[i]!.consumedApis, apiLifecycles, input.asOf);
      if (removed)
        removedApi.set(
          i,
          `deferred: consumes ${removed.api} ${removed.version}, removed at ${removed.sunsetAt}`,
        );
    }
  }

  // --- priority ---------------------------------------------------------------------------------
  const tier = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    tier[i] =
      kind[i] === KIND_COMPLIANCE
        ? TIER_COMPLIANCE
        : negotiatedIn.size > 0 &&
            negotiatedIn.has(ids[i] as string) &&
            !excluded.has(ids[i] as string)
          ? TIER_NEGOTIATED
          : TIER_NORMAL;
  }
  // Same criteria as `compareWsjfKeys`, behind the tier; index order is id order (`sorted`).
  const ownOrder = new Int32Array(n);
  for (let i = 0; i < n; i++) ownOrder[i] = i;
  // Only the sign of each difference matters (NaN ties, as `||` would); returning ±1 rather than
  // the difference spares a heap number for every comparison whose difference is not a small int.
  const sign = (d: number): number => (d < 0 ? -1 : d > 0 ? 1 : 0);
  ownOrder.sort(
    (a, b) =>
      (tier[a] as number) - (tier[b] as number) ||
      sign(
        (costOfDelay[b] as number) * (jobSize[a] as number) -
          (costOfDelay[a] as number) * (jobSize[b] as number),
      ) ||
      sign((costOfDelay[b] as number) - (costOfDelay[a] as number)) ||
      sign((jobSize[a] as number) - (jobSize[b] as number)) ||
      sign((registeredAtMs[a] as number) - (registeredAtMs[b] as number)) ||
      a - b,
  );
  const ownRank = new Int32Array(n);
  for (let r = 0; r < n; r++) ownRank[ownOrder[r] as number] = r;
  // Reverse topological order visits every dependent before its prerequisites.
  const inherited = new Int32Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const i = topo[k] as number;
    let best = i;
    for (let e = dependents.start[i] as number; e < (dependents.start[i + 1] as number); e++) {
      const candidate = inherited[dependents.list[e] as number] as number;
      if ((ownRank[candidate] as number) < (ownRank[best] as number)) best = candidate;
    }
    inherited[i] = best;
  }
  // Priority: the heir's rank, then the own rank. Counting by the heir's rank in own-rank order
  // sorts everyone by it in linear time; `position` is the rank in that order.
  const byPriority = new Int32Array(n);
  const heirStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const h = (ownRank[inherited[i] as number] as number) + 1;
    heirStart[h] = (heirStart[h] as number) + 1;
  }
  for (let r = 0; r < n; r++)
    heirStart[r + 1] = (heirStart[r + 1] as number) + (heirStart[r] as number);
  for (let r = 0; r < n; r++) {
    const i = ownOrder[r] as number;
    const h = ownRank[inherited[i] as number] as number;
    byPriority[heirStart[h] as number] = i;
    heirStart[h] = (heirStart[h] as number) + 1;
  }

  // --- capacity ---------------------------------------------------------------------------------
  const teamSet = new Set<string>(teamNames);
  for (const team of Object.keys(input.capacityByTeam ?? {})) teamSet.add(team);
  const teams = [...teamSet].sort(byId);
  const capacityOf = resolveCapacity(input, teams, policy);
  const capacityTotal = teams.reduce((sum, t) => sum + (capacityOf.get(t) ?? 0), 0);
  const { teamCapShare, techDebtReserveShare } = policy.allocation;
  const capPercent = Math.round(teamCapShare * 100);
  const shareLimit = Math.floor(teamCapShare * capacityTotal);
  const teamIndex = new Map<string, number>();
  teams.forEach((t, k) => teamIndex.set(t, k));
  const teamCapacity = teams.map((t) => capacityOf.get(t) ?? 0);
  const teamLimit = teamCapacity.map((c) => Math.min(c, shareLimit));
  const teamUsed = new Float64Array(teams.length);
  const teamRenumbered = teamNames.map((t) => teamIndex.get(t) as number);
  const teamOf = new Int32Array(n);
  for (let i = 0; i < n; i++) teamOf[i] = teamRenumbered[teamSeen[i] as number] as number;
  const quarter = input.quarterToDate;
  const reserve = quarter
    ? Math.min(
        capacityTotal,
        Math.max(
          0,
          Math.floor(techDebtReserveShare * (quarter.capacity + capacityTotal)) - quarter.techDebt,
        ),
      )
    : Math.floor(techDebtReserveShare * capacityTotal);
  let reserveLeft = reserve;
  let generalLeft = capacityTotal - reserve;
  let techDebtUsed = 0;
  let returnedToFeatures = 0;

  // --- decisions --------------------------------------------------------------------------------
  // Candidates are decided (nearly) in priority order, so from here on they are numbered by their
  // position `p` in `byPriority`, and the columns the decisions read are copied into that order:
  // read at scattered id indexes instead, each column cost a cache miss per candidate at 100k.
  const position = new Int32Array(n);
  for (let p = 0; p < n; p++) position[byPriority[p] as number] = p;
  const teamAt = new Int32Array(n);
  const sizeAt = new Float64Array(n);
  const costAt = new Float64Array(n);
  const kindAt = new Uint8Array(n);
  const tierAt = new Uint8Array(n);
  const heirAt = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const i = byPriority[p] as number;
    teamAt[p] = teamOf[i] as number;
    sizeAt[p] = jobSize[i] as number;
    costAt[p] = costOfDelay[i] as number;
    kindAt[p] = kind[i] as number;
    tierAt[p] = tier[i] as number;
    heirAt[p] = position[inherited[i] as number] as number;
  }
  // Ids are looked up through `byPriority`: apart from the entries, few decisions read one.
  const idAt = (p: number): string => ids[byPriority[p] as number] as string;
  const prerequisitesAt = relabel(deps, byPriority, position);
  const dependentsAt = relabel(dependents, byPriority, position);
  const externalAt = new Map<number, string>();
  for (const [i, dep] of externalBlocker) externalAt.set(position[i] as number, dep);

  const state = new Uint8Array(n);
  const reason: string[] = new Array<string>(n).fill('');
  /** Positions, in the order the candidates were considered. */
  const sequence = new Int32Array(n);
  const wsjf = (p: number): number => (costAt[p] as number) / (sizeAt[p] as number);
  const scoreText = new Map<number, string>();
  const score = (p: number): string => {
    const value = wsjf(p);
    let text = scoreText.get(value);
    if (text === undefined) {
      text = `WSJF ${formatScore(value)}`;
      scoreText.set(value, text);
    }
    return text;
  };
  /** `reason` is the full text; common ones are shared strings (fewer long-lived objects at scale). */
  const defer = (p: number, full: string): void => {
    state[p] = DEFERRED;
    reason[p] = full;
  };
  const include = (p: number, full: string): void => {
    state[p] = INCLUDED;
    reason[p] = full;
    const t = teamAt[p] as number;
    teamUsed[t] = (teamUsed[t] as number) + (sizeAt[p] as number);
  };
  // A full team defers every later candidate of one job size with the same text until its usage
  // changes: one string per (team, usage, size), not one per deferral. Per team and size: the
  // text and the usage it was written for.
  const blockedText = new Array<Map<number, string> | undefined>(teams.length);
  const blockedTextUsed = new Array<Map<number, number> | undefined>(teams.length);
  /** The full deferral reason if the candidate's team has no room for it. */
  const blockedByTeam = (p: number): string | undefined => {
    const t = teamAt[p] as number;
    const size = sizeAt[p] as number;
    const used = teamUsed[t] as number;
    const limit = teamLimit[t] as number;
    if (used + size <= limit) return undefined;
    let texts = blockedText[t];
    let usedFor = blockedTextUsed[t];
    if (texts === undefined || usedFor === undefined) {
      texts = new Map();
      blockedText[t] = texts;
      usedFor = new Map();
      blockedTextUsed[t] = usedFor;
    }
    let text = usedFor.get(size) === used ? texts.get(size) : undefined;
    if (text === undefined) {
      const team = teams[t] as string;
      text =
        limit < (teamCapacity[t] as number)
          ? `deferred: team cap ${capPercent}% reached (${team}: ${used} of ${limit} used, needs ${size})`
          : `deferred: team capacity reached (${team}: ${used} of ${limit} used, needs ${size})`;
      texts.set(size, text);
      usedFor.set(size, used);
    }
    return text;
  };
  /** `before` + the WSJF text + `after`, one string per score (no closure per call either). */
  const shared = (cache: Map<number, string>, p: number, before: string, after: string) => {
    const value = wsjf(p);
    let text = cache.get(value);
    if (text === undefined) {
      text = `${before}${score(p)}${after}`;
      cache.set(value, text);
    }
    return text;
  };
  const negotiatedText = new Map<number, string>();
  const reserveText = new Map<number, string>();
  const fitsText = new Map<number, string>();
  const returnedText = new Map<number, string>();
  const whyIncluded = (p: number, fromReserve: boolean): string => {
    if (kindAt[p] === KIND_COMPLIANCE) return 'included: compliance guarantee';
    const heir = heirAt[p] as number;
    if (heir !== p) {
      const heirId = idAt(heir);
      return tierAt[heir] === TIER_COMPLIANCE
        ? `included: prerequisite of compliance workload ${heirId}`
        : `included: prerequisite of ${heirId} (${score(heir)})`;
    }
    if (tierAt[p] === TIER_NEGOTIATED)
      return shared(negotiatedText, p, 'included: negotiated into scope (', ')');
    if (fromReserve) return shared(reserveText, p, 'included: technical-debt reserve (', ')');
    return shared(fitsText, p, 'included: ', ' fits team and release capacity');
  };

  /** The first prerequisite (by id) in `wanted` state, or -1. */
  const prerequisiteIn = (p: number, wanted: (s: number) => boolean): number => {
    const { start, list } = prerequisitesAt;
    for (let e = start[p] as number; e < (start[p + 1] as number); e++) {
      const q = list[e] as number;
      if (wanted(state[q] as number)) return q;
    }
    return -1;
  };
  const hasPrerequisites = (p: number): boolean =>
    (prerequisitesAt.start[p + 1] as number) > (prerequisitesAt.start[p] as number);
  const isDeferred = (s: number): boolean => s === DEFERRED;
  const isPending = (s: number): boolean => s === PENDING;
  const isNotIncluded = (s: number): boolean => s !== INCLUDED;

  // Kahn's algorithm, best priority first. Candidates without prerequisites are taken in
  // position order; only those that waited for one go through a heap (of positions), so the
  // heap holds a few thousand entries at 100k candidates, not nearly all of them.
  const waiting = new Int32Array(n);
  for (let p = 0; p < n; p++)
    waiting[p] = (prerequisitesAt.start[p + 1] as number) - (prerequisitesAt.start[p] as number);
  const ready = new IndexHeap((a, b) => a - b);
  let unblocked = 0;
  /** The best candidate whose prerequisites are all decided, or -1 when every one is taken. */
  const takeNext = (): number => {
    while (unblocked < n && hasPrerequisites(unblocked)) unblocked++;
    if (ready.size > 0 && (unblocked === n || (ready.peek() as number) < unblocked))
      return ready.pop() as number;
    return unblocked < n ? unblocked++ : -1;
  };
  let considered = 0;
  for (let p = takeNext(); p >= 0; p = takeNext()) {
    sequence[considered++] = p;
    const { start, list } = dependentsAt;
    for (let e = start[p] as number; e < (start[p + 1] as number); e++) {
      const d = list[e] as number;
      waiting[d] = (waiting[d] as number) - 1;
      if (waiting[d] === 0) ready.push(d);
    }
    if (excluded.size > 0 && excluded.has(idAt(p))) {
      defer(p, 'deferred: excluded in scope negotiation');
      continue;
    }
    const external = externalAt.size > 0 ? externalAt.get(p) : undefined;
    if (external !== undefined) {
      defer(p, `deferred: depends on ${external} which is not yet planned`);
      continue;
    }
    const removed = removedApi.size > 0 ? removedApi.get(byPriority[p] as number) : undefined;
    if (removed !== undefined) {
      defer(p, removed);
      continue;
    }
    const deferredDep = prerequisiteIn(p, isDeferred);
    if (deferredDep >= 0) {
      defer(p, `deferred: depends on ${idAt(deferredDep)} which is deferred`);
      continue;
    }
    if (prerequisiteIn(p, isPending) >= 0) {
      state[p] = PENDING;
      continue;
    }
    const teamBlock = blockedByTeam(p);
    if (teamBlock !== undefined) {
      defer(p, teamBlock);
      continue;
    }
    const size = sizeAt[p] as number;
    const k = kindAt[p] as number;
    if (k === KIND_TECH_DEBT && size <= reserveLeft) {
      reserveLeft -= size;
      techDebtUsed += size;
      include(p, whyIncluded(p, true));
    } else if (size <= generalLeft) {
      generalLeft -= size;
      if (k === KIND_TECH_DEBT) techDebtUsed += size;
      include(p, whyIncluded(p, false));
    } else if (k === KIND_COMPLIANCE && size <= generalLeft + reserveLeft) {
      // The guarantee outranks the reserve: take what the general pool has, the rest from the reserve.
      reserveLeft -= size - generalLeft;
      generalLeft = 0;
      include(p, whyIncluded(p, false));
    } else {
      state[p] = PENDING;
    }
  }
  // The graph is acyclic (checked above), so Kahn's algorithm reaches every candidate.
  if (considered !== n) throw new Error(`allocation considered ${considered} of ${n} candidates`);

  // Pass B: the unused reserve returns to the general pool.
  for (let k = 0; k < n; k++) {
    const p = sequence[k] as number;
    if (state[p] !== PENDING) continue;
    const blocker = prerequisiteIn(p, isNotIncluded);
    if (blocker >= 0) {
      defer(p, `deferred: depends on ${idAt(blocker)} which is deferred`);
      continue;
    }
    const teamBlock = blockedByTeam(p);
    if (teamBlock !== undefined) {
      defer(p, teamBlock);
      continue;
    }
    const size = sizeAt[p] as number;
    if (size > generalLeft + reserveLeft) {
      const used = capacityTotal - generalLeft - reserveLeft;
      defer(
        p,
        `deferred: release capacity exhausted (${used} of ${capacityTotal} used, needs ${size})`,
      );
      continue;
    }
    const fromGeneral = Math.min(size, generalLeft);
    const fromReserve = size - fromGeneral;
    generalLeft -= fromGeneral;
    reserveLeft -= fromReserve;
    if (kindAt[p] === KIND_TECH_DEBT) techDebtUsed += size;
    else if (kindAt[p] === KIND_OTHER) returnedToFeatures += fromReserve;
    const returned = fromReserve > 0 && kindAt[p] === KIND_OTHER;
    include(
      p,
      returned
        ? shared(
            returnedText,
            p,
            'included: unused technical-debt reserve returned to features (',
            ')',
          )
        : whyIncluded(p, false),
    );
  }

  // --- outputs ----------------------------------------------------------------------------------
  // Back to id order for the rest.
  const stateById = new Uint8Array(n);
  for (let i = 0; i < n; i++) stateById[i] = state[position[i] as number] as number;
  const sequenceById = new Int32Array(n);
  for (let k = 0; k < n; k++) sequenceById[k] = byPriority[sequence[k] as number] as number;
  const alerts: PlanAlert[] = [];
  for (let i = 0; i < n; i++) {
    if (kind[i] !== KIND_COMPLIANCE || stateById[i] === INCLUDED) continue;
    const c = sorted[i] as AllocationCandidate;
    alerts.push({
      type: 'ComplianceGuaranteeMissed',
      workloadId: c.workloadId,
      team: c.team,
      reason: `compliance workload not placed in release ${input.release.releaseId}: ${reason[position[i] as number]}`,
    });
  }
  let included = 0;
  for (let i = 0; i < n; i++) if (stateById[i] === INCLUDED) included++;
  // Sized up front: grown by push, an array this long is copied into fresh memory several times.
  const includedIdx = new Array<number>(included);
  for (let i = 0, k = 0; i < n; i++) if (stateById[i] === INCLUDED) includedIdx[k++] = i;
  const contracts = contractGroups(sorted, columns, stateById, alerts);
  const components = readIncludedComponents(sorted, includedIdx);
  const deploymentOrder = orderDeployment(
    ids,
    deps,
    includedIdx,
    components,
    sequenceById,
    contracts,
    alerts,
  );
  const coupling = couplingFlags(ids, teams, teamOf, includedIdx, components);
  const versionSkews = findVersionSkew(includedIdx.map((i) => sorted[i] as AllocationCandidate));
  const deprecationFlags =
    apiLifecycles.length > 0 && input.asOf !== undefined
      ? flagDeprecatedApiUsage({
          lifecycles: apiLifecycles,
          consumers: includedIdx.flatMap((i) =>
            (sorted[i]!.consumedApis ?? []).map((c) => ({
              consumer: ids[i] as string,
              api: c.api,
              version: c.version,
            })),
          ),
          now: input.asOf,
        })
      : [];
  // The entries last, after the other outputs' garbage: a collection that finds them live copies
  // them and soon has V8 allocate them in the old generation (slower, more major collections);
  // at 100k candidates that was a few per cent of the run.
  const entries = new Array<PlanEntry>(n);
  for (let k = 0; k < n; k++) {
    const p = sequence[k] as number;
    entries[k] = {
      workloadId: idAt(p),
      team: teams[teamAt[p] as number] as string,
      jobSize: small(sizeAt[p] as number),
      changeType: changeType[byPriority[p] as number] as ChangeType,
      decision: state[p] === INCLUDED ? 'included' : 'deferred',
      reason: reason[p] as string,
      wsjf: wsjf(p),
      costOfDelay: small(costAt[p] as number),
      order: k + 1,
    };
  }
  const teamAllocations: TeamAllocation[] = teams.map((team, t) => ({
    team,
    capacity: teamCapacity[t] as number,
    limit: teamLimit[t] as number,
    used: teamUsed[t] as number,
  }));
  return {
    releaseId: input.release.releaseId,
    trainId: input.release.trainId,
    policyVersion: policy.version,
    entries,
    capacityUsed: capacityTotal - generalLeft - reserveLeft,
    capacityTotal,
    teams: teamAllocations,
    techDebt: { reserve, used: techDebtUsed, returnedToFeatures },
    alerts,
    couplingFlags: coupling,
    versionSkews,
    deprecationFlags,
    contractGroups: contracts.groups,
    deploymentOrder,
  };
};

/**
 * The included candidates' components, read in one pass for both coupling and deployment (each
 * pass over the component objects cost a cache miss per object at 100k candidates): candidate
 * `includedIdx[k]` has `slot[start[k]]` … before `slot[start[k + 1]]`, one number per name.
 */
interface IncludedComponents {
  readonly start: Int32Array;
  readonly slot: Int32Array;
  readonly isDatabase: Uint8Array;
  readonly databases: number;
  readonly names: readonly string[];
  /** By k, like `start`. */
  readonly schemaChange: Uint8Array;
}

const readIncludedComponents = (
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
const couplingFlags = (
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

interface Contracts {
  readonly groups: ContractGroup[];
  /** Included, unflagged members of groups that must deploy together, by candidate index. */
  readonly memberOf: ReadonlyMap<number, string>;
}

const contractGroups = (
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
const orderDeployment = (
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
