import type {
  BundleScope,
  CanonicalEvent,
  Change,
  EventRef,
  PopulationFile,
  TrailStage,
} from './bundle.types';
import { TRAIL_STAGES } from './bundle.types';

/** An event of some service's log, parsed from its canonical form. */
export interface ParsedEvent {
  readonly service: string;
  readonly leafIndex: number;
  readonly event: CanonicalEvent;
}

/** The changes in scope and the events the scope selects, per service (leaf indexes). */
export interface ScopeSelection {
  readonly changeIds: readonly string[];
  readonly selected: ReadonlyMap<string, ReadonlySet<number>>;
}

/** Stream types whose name has a '-' of its own (planning's `api-version-<api>`). */
const COMPOUND_STREAM_TYPES = ['api-version'];

/** The stream's type: its id up to the first '-' (`workload-W-1` → `workload`), compound names kept. */
export function streamTypeOf(streamId: string): string {
  const compound = COMPOUND_STREAM_TYPES.find((t) => streamId.startsWith(`${t}-`));
  if (compound) return compound;
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

/**
 * The workloads (changes) an event is about: the owner of a `workload-<id>` stream, and every
 * `workloadId` (string) and `workloadIds` (strings) anywhere in its data. The rule is generic on
 * purpose so events of services that do not exist yet (compliance reviews, deployments) that name
 * the workload join its trail without a change here.
 */
export function workloadIdsOf(event: CanonicalEvent): string[] {
  const ids = new Set<string>();
  if (event.streamId.startsWith('workload-')) ids.add(event.streamId.slice('workload-'.length));
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'workloadId' && typeof inner === 'string') ids.add(inner);
      else if (key === 'workloadIds' && Array.isArray(inner))
        inner.forEach((id) => typeof id === 'string' && ids.add(id));
      else walk(inner);
    }
  };
  walk(event.data);
  return [...ids];
}

function releaseIdOf(event: CanonicalEvent): string | undefined {
  const data = event.data as { releaseId?: unknown } | null;
  return data && typeof data === 'object' && typeof data.releaseId === 'string'
    ? data.releaseId
    : undefined;
}

/**
 * Which changes and events a scope selects. Computed from the whole log at export and again from
 * the bundle's events by the verifier: every event the selection depends on is itself selected,
 * so both give the same answer.
 */
export function selectScope(events: readonly ParsedEvent[], scope: BundleScope): ScopeSelection {
  const seeds: ParsedEvent[] = [];
  const changeIds = new Set<string>();
  switch (scope.kind) {
    case 'all':
      seeds.push(...events);
      events.forEach((e) => workloadIdsOf(e.event).forEach((id) => changeIds.add(id)));
      break;
    case 'workload':
      changeIds.add(scope.workloadId);
      break;
    case 'release':
      for (const e of events) {
        if (releaseIdOf(e.event) !== scope.releaseId) continue;
        seeds.push(e);
        workloadIdsOf(e.event).forEach((id) => changeIds.add(id));
      }
      break;
    case 'period':
      for (const e of events) {
        if (!inPeriod(e.event.recordedAt, scope.from, scope.to)) continue;
        seeds.push(e);
        workloadIdsOf(e.event).forEach((id) => changeIds.add(id));
      }
      break;
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${JSON.stringify(never)}`);
    }
  }
  const selected = new Map<string, Set<number>>();
  const select = (e: ParsedEvent) => {
    let set = selected.get(e.service);
    if (!set) selected.set(e.service, (set = new Set()));
    set.add(e.leafIndex);
  };
  seeds.forEach(select);
  for (const e of events) if (workloadIdsOf(e.event).some((id) => changeIds.has(id))) select(e);
  return { changeIds: [...changeIds].sort(), selected };
}

/** recordedAt is `YYYY-MM-DDTHH:MM:SS.ffffffZ`; compared as instants. */
export function inPeriod(recordedAt: string, from: string, to: string): boolean {
  const t = Date.parse(recordedAt);
  return t >= Date.parse(from) && t < Date.parse(to);
}

/** Which step of a change's trail an event records. */
export function stageOf(service: string, event: CanonicalEvent, changeId: string): TrailStage {
  const type = event.type;
  if (service === 'deployment' || /Deploy|Promot|RolledBack|Rollback/.test(type))
    return 'deployments';
  if (/Approv|SignOff|SignedOff|Review|ExceptionGranted/.test(type)) return 'approvals';
  if (/Polic|Evaluat/.test(type)) return 'policyResults';
  if (service === 'planning' && event.streamId === `workload-${changeId}`) return 'request';
  return 'other';
}

function refOf(e: ParsedEvent): EventRef {
  const metadata = e.event.metadata as { actor?: unknown } | null;
  return {
    service: e.service,
    leafIndex: e.leafIndex,
    streamId: e.event.streamId,
    streamVersion: e.event.streamVersion,
    type: e.event.type,
    recordedAt: e.event.recordedAt,
    actor:
      metadata && typeof metadata === 'object' && typeof metadata.actor === 'string'
        ? metadata.actor
        : null,
  };
}

const byLog = (a: ParsedEvent, b: ParsedEvent) =>
  a.service === b.service ? a.leafIndex - b.leafIndex : a.service < b.service ? -1 : 1;

/** The population of changes: one row per change, its trail from the events that are about it. */
export function buildPopulation(
  events: readonly ParsedEvent[],
  scope: BundleScope,
  changeIds: readonly string[],
): PopulationFile {
  const about = new Map<string, ParsedEvent[]>(changeIds.map((id) => [id, []]));
  for (const e of [...events].sort(byLog)) {
    for (const id of workloadIdsOf(e.event)) about.get(id)?.push(e);
  }
  const changes: Change[] = changeIds.map((changeId) => {
    const own = about.get(changeId)!;
    const trail = Object.fromEntries(TRAIL_STAGES.map((s) => [s, [] as EventRef[]])) as Record<
      TrailStage,
      EventRef[]
    >;
    for (const e of own) trail[stageOf(e.service, e.event, changeId)].push(refOf(e));
    const registered = own.find(
      (e) => e.event.type === 'WorkloadRegistered' && e.event.streamId === `workload-${changeId}`,
    )?.event.data as { title?: unknown; team?: unknown } | undefined;
    const times = own.map((e) => e.event.recordedAt).sort();
    const releaseIds = [
      ...new Set(own.map((e) => releaseIdOf(e.event)).filter((id) => id !== undefined)),
    ].sort();
    const firstDeployment = trail.deployments.map((r) => r.recordedAt).sort()[0];
    return {
      changeId,
      title: typeof registered?.title === 'string' ? registered.title : null,
      team: typeof registered?.team === 'string' ? registered.team : null,
      releaseIds,
      firstRecordedAt: times[0] ?? '',
      lastRecordedAt: times[times.length - 1] ?? '',
      eventCount: own.length,
      trail,
      approvedBeforeDeployment:
        firstDeployment === undefined
          ? null
          : trail.approvals.length > 0 &&
            trail.approvals.every((a) => Date.parse(a.recordedAt) < Date.parse(firstDeployment)),
    };
  });
  return { scope, changeCount: changes.length, changes };
}
