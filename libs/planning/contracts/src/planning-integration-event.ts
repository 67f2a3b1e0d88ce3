import type { ApiVersionDeprecatedV1 } from './events/api-version-deprecated.v1';
import type { ComplianceGuaranteeMissedV1 } from './events/compliance-guarantee-missed.v1';
import type { EmergencyPatchScheduledV1 } from './events/emergency-patch-scheduled.v1';
import type { ReleaseCancelledV1 } from './events/release-cancelled.v1';
import type { ReleaseClosedV1 } from './events/release-closed.v1';
import type { ReleasePlannedV1 } from './events/release-planned.v1';
import type { ReleaseScopeCommittedV1 } from './events/release-scope-committed.v1';
import type { ReleaseScopeNegotiatedV1 } from './events/release-scope-negotiated.v1';
import type { ReleaseWorkloadExcludedV1 } from './events/release-workload-excluded.v1';
import type { ReleaseWorkloadIncludedV1 } from './events/release-workload-included.v1';
import type { ScopeExceptionGrantedV1 } from './events/scope-exception-granted.v1';
import type { WorkloadCompletedV1 } from './events/workload-completed.v1';
import type { WorkloadDeferredV1 } from './events/workload-deferred.v1';
import type { WorkloadPlannedV1 } from './events/workload-planned.v1';
import type { WorkloadRegisteredV1 } from './events/workload-registered.v1';
import type { WorkloadWithdrawnV1 } from './events/workload-withdrawn.v1';

/** One published event: its type (`ce_type`'s event part), schema version and data (the record value). */
export interface IntegrationEvent<TType extends string, TVersion extends number, TData> {
  readonly type: TType;
  readonly version: TVersion;
  readonly data: TData;
}

/** Every event planning publishes on `trainyard.planning.events.v1`, by type and version. */
export type PlanningIntegrationEvent =
  | IntegrationEvent<'WorkloadRegistered', 1, WorkloadRegisteredV1>
  | IntegrationEvent<'WorkloadPlanned', 1, WorkloadPlannedV1>
  | IntegrationEvent<'WorkloadDeferred', 1, WorkloadDeferredV1>
  | IntegrationEvent<'WorkloadCompleted', 1, WorkloadCompletedV1>
  | IntegrationEvent<'WorkloadWithdrawn', 1, WorkloadWithdrawnV1>
  | IntegrationEvent<'ReleasePlanned', 1, ReleasePlannedV1>
  | IntegrationEvent<'ReleaseScopeNegotiated', 1, ReleaseScopeNegotiatedV1>
  | IntegrationEvent<'ReleaseScopeCommitted', 1, ReleaseScopeCommittedV1>
  | IntegrationEvent<'ComplianceGuaranteeMissed', 1, ComplianceGuaranteeMissedV1>
  | IntegrationEvent<'ScopeExceptionGranted', 1, ScopeExceptionGrantedV1>
  | IntegrationEvent<'ReleaseWorkloadIncluded', 1, ReleaseWorkloadIncludedV1>
  | IntegrationEvent<'ReleaseWorkloadExcluded', 1, ReleaseWorkloadExcludedV1>
  | IntegrationEvent<'EmergencyPatchScheduled', 1, EmergencyPatchScheduledV1>
  | IntegrationEvent<'ReleaseClosed', 1, ReleaseClosedV1>
  | IntegrationEvent<'ReleaseCancelled', 1, ReleaseCancelledV1>
  | IntegrationEvent<'ApiVersionDeprecated', 1, ApiVersionDeprecatedV1>;

export type PlanningIntegrationEventType = PlanningIntegrationEvent['type'];

/** The data of one published type and version, e.g. `PlanningEventData<'ReleaseScopeCommitted', 1>`. */
export type PlanningEventData<
  TType extends PlanningIntegrationEventType,
  TVersion extends number = 1,
> = Extract<PlanningIntegrationEvent, { type: TType; version: TVersion }>['data'];

/** The catalogue: every (type, version) published today. The contract spec holds the AsyncAPI document to it. */
export const PLANNING_INTEGRATION_EVENTS: readonly {
  readonly type: PlanningIntegrationEventType;
  readonly version: number;
}[] = (
  [
    'WorkloadRegistered',
    'WorkloadPlanned',
    'WorkloadDeferred',
    'WorkloadCompleted',
    'WorkloadWithdrawn',
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
    'ApiVersionDeprecated',
  ] as const satisfies readonly PlanningIntegrationEventType[]
).map((type) => ({ type, version: 1 }));
