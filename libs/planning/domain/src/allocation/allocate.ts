import { capacityFromHistory, coldStartCapacity } from '../capacity/velocity';
import { flagDeprecatedApiUsage, sunsetApiVersion } from '../dependencies/api-deprecation';
import { findVersionSkew } from '../dependencies/version-skew';
import type { ChangeType, PlanningPolicy } from '../policy/planning-policy';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { formatScore } from '../prioritization/wsjf';
import { IndexHeap } from '../shared/binary-heap';
import { assertIsoInstant, assertNonEmpty, ownValue, ValidationError } from '@trainyard/kernel';
import type {
  AllocationCandidate,
  AllocationInput,
  Plan,
  PlanAlert,
  PlanEntry,
  TeamAllocation,
} from './allocation.types';
import {
  DEFERRED,
  INCLUDED,
  KIND_COMPLIANCE,
  KIND_OTHER,
  KIND_TECH_DEBT,
  PENDING,
  byId,
  readColumns,
  small,
} from './allocation.columns';
import { buildGraph, relabel } from './allocation.graph';
import { priorityOrder } from './allocation.order';
import {
  TIER_COMPLIANCE,
  TIER_NEGOTIATED,
  complianceFitsWithReserve,
  complianceGuaranteeMissed,
  priorityTier,
} from './compliance-first';
import { fitsTeamCap, teamCapDeferral, teamCapLimit } from './team-cap';
import { techDebtReserve } from './tech-debt-reserve';
import {
  contractGroups,
  couplingFlags,
  orderDeployment,
  readIncludedComponents,
} from './allocation.outputs';

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
      capacity.set(team, ownValue(input.capacityByTeam, team) ?? coldStartCapacity(team, policy));
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
    tier[i] = priorityTier(
      kind[i] === KIND_COMPLIANCE,
      negotiatedIn.size > 0 &&
        negotiatedIn.has(ids[i] as string) &&
        !excluded.has(ids[i] as string),
    );
  }
  // The tier, then `compareWsjfKeys`'s order: its last tie-break, the id, is the index (`sorted`).
  const ownOrder = priorityOrder(tier, costOfDelay, jobSize, registeredAtMs);
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
  const teamIndex = new Map<string, number>();
  teams.forEach((t, k) => teamIndex.set(t, k));
  const teamCapacity = teams.map((t) => capacityOf.get(t) ?? 0);
  const teamLimit = teamCapacity.map((c) => teamCapLimit(c, teamCapShare, capacityTotal));
  const teamUsed = new Float64Array(teams.length);
  const teamRenumbered = teamNames.map((t) => teamIndex.get(t) as number);
  const teamOf = new Int32Array(n);
  for (let i = 0; i < n; i++) teamOf[i] = teamRenumbered[teamSeen[i] as number] as number;
  const reserve = techDebtReserve(techDebtReserveShare, capacityTotal, input.quarterToDate);
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
    if (fitsTeamCap(used, size, limit)) return undefined;
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
      text = teamCapDeferral(
        teams[t] as string,
        used,
        limit,
        size,
        teamCapacity[t] as number,
        teamCapShare,
      );
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
    } else if (k === KIND_COMPLIANCE && complianceFitsWithReserve(size, generalLeft, reserveLeft)) {
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
    alerts.push(
      complianceGuaranteeMissed(
        sorted[i] as AllocationCandidate,
        input.release.releaseId,
        reason[position[i] as number] as string,
      ),
    );
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
