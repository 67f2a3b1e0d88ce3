import type { ApiVersionEvent, ReleaseEvent, WorkloadEvent } from '@trainyard/planning-domain';

export type PlanningEvent = WorkloadEvent | ReleaseEvent | ApiVersionEvent;

/** A stored planning event as projections see it: the domain event plus what its metadata adds. */
export interface ProjectedEvent {
  readonly event: PlanningEvent;
  readonly streamVersion: number;
  readonly actor: string;
  /** The stated reason; for WorkloadPlanned the allocation's explanation. */
  readonly reason?: string;
}

const WORKLOAD_EVENT_TYPES: ReadonlySet<string> = new Set<WorkloadEvent['type']>([
  'WorkloadRegistered',
  'WorkloadPlanned',
  'WorkloadDeferred',
  'WorkloadCompleted',
  'WorkloadWithdrawn',
]);

const RELEASE_EVENT_TYPES: ReadonlySet<string> = new Set<ReleaseEvent['type']>([
  'ReleasePlanned',
  'ReleaseScopeNegotiated',
  'ReleaseScopeCommitted',
  'ComplianceGuaranteeMissed',
  'ScopeExceptionGranted',
  'ReleaseWorkloadIncluded',
  'ReleaseWorkloadExcluded',
  'EmergencyPatchScheduled',
  'ReleaseClosed',
  'ReleaseCancelled',
]);

const API_VERSION_EVENT_TYPES: ReadonlySet<string> = new Set<ApiVersionEvent['type']>([
  'ApiVersionDeprecated',
]);

export const PLANNING_EVENT_TYPES: readonly string[] = [
  ...WORKLOAD_EVENT_TYPES,
  ...RELEASE_EVENT_TYPES,
  ...API_VERSION_EVENT_TYPES,
];

export const isWorkloadEvent = (event: { readonly type: string }): event is WorkloadEvent =>
  WORKLOAD_EVENT_TYPES.has(event.type);

export const isReleaseEvent = (event: { readonly type: string }): event is ReleaseEvent =>
  RELEASE_EVENT_TYPES.has(event.type);

export const isApiVersionEvent = (event: { readonly type: string }): event is ApiVersionEvent =>
  API_VERSION_EVENT_TYPES.has(event.type);

/** Instants are stored as UTC ISO-8601 text, so they sort as text. */
export const utc = (instant: string): string => new Date(instant).toISOString();
