// Access administration's and sampling's domain events → integration events (ADR 0009): every
// change to the access model is published, so GRC tools and the audit ledger see each one.
import type {
  AccessEvent,
  AccessRole,
  ComplianceFindingRaised,
  ComplianceSampleDrawn,
} from '@trainyard/compliance-domain';
import type {
  AccessChangeApprovedV1,
  AccessChangeProposedV1,
  AccessChangeRejectedV1,
  AccessRoleGrantedV1,
  AccessRolePutV1,
  AccessRoleRevokedV1,
  AccessRoleV1,
} from './events/access-events.v1';
import type { ComplianceFindingRaisedV1 } from './events/compliance-finding-raised.v1';
import type { ComplianceSampleDrawnV1 } from './events/compliance-sample-drawn.v1';

interface V1<TType extends string, TData> {
  readonly type: TType;
  readonly version: 1;
  readonly data: TData;
}

export type AccessIntegrationEvent =
  | V1<'AccessRolePut', AccessRolePutV1>
  | V1<'AccessRoleGranted', AccessRoleGrantedV1>
  | V1<'AccessRoleRevoked', AccessRoleRevokedV1>
  | V1<'AccessChangeProposed', AccessChangeProposedV1>
  | V1<'AccessChangeApproved', AccessChangeApprovedV1>
  | V1<'AccessChangeRejected', AccessChangeRejectedV1>;

export const ACCESS_INTEGRATION_EVENTS: Readonly<
  Record<AccessIntegrationEvent['type'], readonly number[]>
> = {
  AccessRolePut: [1],
  AccessRoleGranted: [1],
  AccessRoleRevoked: [1],
  AccessChangeProposed: [1],
  AccessChangeApproved: [1],
  AccessChangeRejected: [1],
};

export const ACCESS_DOMAIN_EVENT_TYPES: readonly string[] = Object.keys(ACCESS_INTEGRATION_EVENTS);

const roleV1 = (r: AccessRole): AccessRoleV1 => ({
  name: r.name,
  description: r.description,
  privileged: r.privileged,
  permissions: [...r.permissions],
});

const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

export function accessToIntegrationEvent(event: AccessEvent): AccessIntegrationEvent {
  switch (event.type) {
    case 'AccessRolePut': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          role: roleV1(d.role),
          ...(d.previous ? { previous: roleV1(d.previous) } : {}),
          changedBy: d.changedBy,
          ...opt('approvedBy', d.approvedBy),
          ...opt('changeId', d.changeId),
          modelVersion: d.modelVersion,
          changedAt: d.changedAt,
        },
      };
    }
    case 'AccessRoleGranted': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          subject: d.subject,
          role: d.role,
          grantedBy: d.grantedBy,
          ...opt('approvedBy', d.approvedBy),
          ...opt('changeId', d.changeId),
          modelVersion: d.modelVersion,
          grantedAt: d.grantedAt,
        },
      };
    }
    case 'AccessRoleRevoked': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          subject: d.subject,
          role: d.role,
          revokedBy: d.revokedBy,
          modelVersion: d.modelVersion,
          revokedAt: d.revokedAt,
        },
      };
    }
    case 'AccessChangeProposed': {
      const d = event.data;
      const c = d.change;
      return {
        type: event.type,
        version: 1,
        data: {
          changeId: d.changeId,
          kind: c.kind,
          ...(c.kind === 'PutRole'
            ? { role: roleV1(c.role) }
            : { subject: c.subject, roleName: c.role }),
          proposedBy: d.proposedBy,
          ...opt('reason', d.reason),
          proposedAt: d.proposedAt,
        },
      };
    }
    case 'AccessChangeApproved': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          changeId: d.changeId,
          proposedBy: d.proposedBy,
          approvedBy: d.approvedBy,
          approvedAt: d.approvedAt,
        },
      };
    }
    case 'AccessChangeRejected': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          changeId: d.changeId,
          rejectedBy: d.rejectedBy,
          ...opt('reason', d.reason),
          rejectedAt: d.rejectedAt,
        },
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export const SAMPLING_DOMAIN_EVENT_TYPES: readonly string[] = [
  'ComplianceSampleDrawn',
  'ComplianceFindingRaised',
];

export type SamplingIntegrationEvent =
  | V1<'ComplianceSampleDrawn', ComplianceSampleDrawnV1>
  | V1<'ComplianceFindingRaised', ComplianceFindingRaisedV1>;

export function samplingToIntegrationEvent(
  event: ComplianceSampleDrawn | ComplianceFindingRaised,
): SamplingIntegrationEvent {
  if (event.type === 'ComplianceSampleDrawn') {
    const d = event.data;
    return {
      type: event.type,
      version: 1,
      data: {
        sampleId: d.sampleId,
        period: d.period,
        seed: d.seed,
        percent: d.percent,
        population: d.population,
        sampled: [...d.sampled],
        rulesVersion: d.rulesVersion,
        drawnAt: d.drawnAt,
      },
    };
  }
  const d = event.data;
  return {
    type: event.type,
    version: 1,
    data: {
      sampleId: d.sampleId,
      releaseId: d.releaseId,
      rule: d.rule,
      rulesVersion: d.rulesVersion,
      workloadId: d.workloadId,
      message: d.message,
      evidence: d.evidence,
      raisedAt: d.raisedAt,
    },
  };
}
