// Domain events → integration events. The one place that knows both: the domain's types are
// imported for types only (nothing of the domain runs in a consumer), and every published field
// is copied by name, so a domain refactor fails typecheck here instead of changing what GRC tools
// and other services consume, and a field added to a domain event stays internal until it is
// added to a contract type (docs/adr/0009-integration-events.md).
import type {
  ApiVersionEvent,
  ReleaseEvent,
  VersionSkew,
  WorkloadEvent,
} from '@trainyard/planning-domain';
import type { VersionSkewV1 } from './events/planning-values.v1';
import type { PlanningIntegrationEvent } from './planning-integration-event';
import { planningDataschema } from './planning.topics';

/** Every event planning's deciders emit. */
export type PlanningDomainEvent = WorkloadEvent | ReleaseEvent | ApiVersionEvent;

/** Adding a domain event fails the switch below until it is mapped or explicitly not published. */
const notPublished = (_event: never): undefined => undefined;

/** The integration event a domain event is published as; undefined: not published. */
export function toIntegrationEvent(
  event: PlanningDomainEvent,
): PlanningIntegrationEvent | undefined {
  switch (event.type) {
    case 'WorkloadRegistered': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          title: d.title,
          team: d.team,
          components: d.components.map(({ name, kind }) => ({ name, kind })),
          regulatedData: [...d.regulatedData],
          jobSize: d.jobSize,
          businessValue: d.businessValue,
          timeCriticality: d.timeCriticality,
          riskReduction: d.riskReduction,
          changeType: d.changeType,
          dependsOn: [...d.dependsOn],
          apiContract: d.apiContract && { api: d.apiContract.api, version: d.apiContract.version },
          schemaChange: d.schemaChange,
          consumedApis: d.consumedApis?.map(({ api, version }) => ({ api, version })),
          libraries: d.libraries?.map(({ name, version }) => ({ name, version })),
          featureFlag: d.featureFlag,
          severity: d.severity,
          linkedIncident: d.linkedIncident,
          classification: {
            changeType: d.classification.changeType,
            ruleId: d.classification.ruleId,
            explanation: d.classification.explanation,
          },
          riskTier: d.riskTier,
          approvalPath: d.approvalPath,
          riskReasons: [...d.riskReasons],
          route: { trackId: d.route.trackId, trackKind: d.route.trackKind },
          policyVersion: d.policyVersion,
          registeredBy: d.registeredBy,
          requester: d.requester,
          registeredAt: d.registeredAt,
        },
      };
    }
    case 'WorkloadPlanned': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          team: d.team,
          releaseId: d.releaseId,
          plannedBy: d.plannedBy,
          plannedAt: d.plannedAt,
        },
      };
    }
    case 'WorkloadDeferred': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          team: d.team,
          releaseId: d.releaseId,
          reason: d.reason,
          deferralCount: d.deferralCount,
          deferredBy: d.deferredBy,
          deferredAt: d.deferredAt,
        },
      };
    }
    case 'WorkloadCompleted': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          team: d.team,
          releaseId: d.releaseId,
          completedJobSize: d.completedJobSize,
          completedAt: d.completedAt,
        },
      };
    }
    case 'WorkloadWithdrawn': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          team: d.team,
          reason: d.reason,
          withdrawnBy: d.withdrawnBy,
          withdrawnAt: d.withdrawnAt,
        },
      };
    }
    case 'ReleasePlanned': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          trainId: d.trainId,
          window: { start: d.window.start, end: d.window.end },
          plannedBy: d.plannedBy,
          plannedAt: d.plannedAt,
        },
      };
    }
    case 'ReleaseScopeNegotiated': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          workloadId: d.workloadId,
          change: d.change,
          reason: d.reason,
          negotiatedBy: d.negotiatedBy,
          negotiatedAt: d.negotiatedAt,
        },
      };
    }
    case 'ReleaseScopeCommitted': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          trainId: d.trainId,
          workloads: d.workloads.map((w) => ({
            workloadId: w.workloadId,
            team: w.team,
            jobSize: w.jobSize,
            changeType: w.changeType,
            order: w.order,
          })),
          deploymentOrder: d.deploymentOrder.map(({ workloadId, wave }) => ({ workloadId, wave })),
          versionSkews: d.versionSkews?.map(versionSkewV1),
          capacityTotal: d.capacityTotal,
          capacityUsed: d.capacityUsed,
          deferredCount: d.deferredCount,
          policyVersion: d.policyVersion,
          committedBy: d.committedBy,
          committedAt: d.committedAt,
        },
      };
    }
    case 'ComplianceGuaranteeMissed': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          workloadId: d.workloadId,
          team: d.team,
          reason: d.reason,
          detectedAt: d.detectedAt,
        },
      };
    }
    case 'ScopeExceptionGranted': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          workloadId: d.workloadId,
          change: d.change,
          reason: d.reason,
          approver: d.approver,
          requestedBy: d.requestedBy,
          grantedAt: d.grantedAt,
        },
      };
    }
    case 'ReleaseWorkloadIncluded': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          workloadId: d.workloadId,
          team: d.team,
          jobSize: d.jobSize,
          unplanned: d.unplanned,
          capacityUsed: d.capacityUsed,
          capacityTotal: d.capacityTotal,
          includedAt: d.includedAt,
        },
      };
    }
    case 'ReleaseWorkloadExcluded': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          workloadId: d.workloadId,
          team: d.team,
          jobSize: d.jobSize,
          excludedAt: d.excludedAt,
        },
      };
    }
    case 'EmergencyPatchScheduled': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          trackId: d.trackId,
          workloadId: d.workloadId,
          team: d.team,
          jobSize: d.jobSize,
          severity: d.severity,
          linkedIncident: d.linkedIncident,
          approver: d.approver,
          unplanned: d.unplanned,
          policyVersion: d.policyVersion,
          requestedBy: d.requestedBy,
          scheduledAt: d.scheduledAt,
        },
      };
    }
    case 'ReleaseClosed': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          trainId: d.trainId,
          kind: d.kind,
          completed: d.completed.map((c) => ({
            workloadId: c.workloadId,
            team: c.team,
            jobSize: c.jobSize,
            unplanned: c.unplanned,
          })),
          notCompleted: [...d.notCompleted],
          teams: d.teams.map((t) => ({
            team: t.team,
            completedJobSize: t.completedJobSize,
            unplannedJobSize: t.unplannedJobSize,
            plannedJobSize: t.plannedJobSize,
          })),
          closedBy: d.closedBy,
          closedAt: d.closedAt,
        },
      };
    }
    case 'ReleaseCancelled': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          reason: d.reason,
          workloadIds: [...d.workloadIds],
          cancelledBy: d.cancelledBy,
          cancelledAt: d.cancelledAt,
        },
      };
    }
    case 'ApiVersionDeprecated': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          api: d.api,
          version: d.version,
          deprecatedAt: d.deprecatedAt,
          sunsetAt: d.sunsetAt,
          reason: d.reason,
          deprecatedBy: d.deprecatedBy,
          recordedAt: d.recordedAt,
        },
      };
    }
    default:
      return notPublished(event);
  }
}

const versionSkewV1 = (skew: VersionSkew): VersionSkewV1 => ({
  library: skew.library,
  target: skew.target,
  versions: skew.versions.map((v) => ({ version: v.version, workloadIds: [...v.workloadIds] })),
  teams: [...skew.teams],
  resolutions: skew.resolutions.map((r) => ({
    version: r.version,
    action: r.action,
    line: r.line,
    workloadIds: [...r.workloadIds],
    reason: r.reason,
  })),
  reason: skew.reason,
});

/** A stored event as the outbox relay hands it over. */
export interface StoredPlanningEvent {
  readonly type: string;
  readonly data: unknown;
}

/**
 * The service's publishing rule (ServiceDefinition.integrationEvents): the integration event of a
 * stored planning event, with the URI of its schema; undefined: not published. Planning's store
 * holds only what its deciders emitted, and no event has a second stored schema version yet; an
 * upcaster, when one exists, runs here before the mapping.
 */
export function planningIntegrationEventOf(
  stored: StoredPlanningEvent,
): (PlanningIntegrationEvent & { readonly dataschema: string }) | undefined {
  const event = toIntegrationEvent(stored as PlanningDomainEvent);
  return event && { ...event, dataschema: planningDataschema(event) };
}
