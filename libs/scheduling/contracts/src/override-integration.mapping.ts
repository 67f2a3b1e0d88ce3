// Freeze-override domain events → integration events (issue 11 item 3, ADR 0009). The domain is
// imported for types only; every published field is copied by name, and the exhaustive switch
// fails typecheck when a new override event is neither mapped nor marked not published.
import type { CalendarScope, FreezeOverrideEvent } from '@trainyard/scheduling-domain';
import type { FreezeOverrideActivatedV1 } from './events/freeze-override-activated.v1';
import type { FreezeOverrideApprovedV1 } from './events/freeze-override-approved.v1';
import type { FreezeOverrideExpiredV1 } from './events/freeze-override-expired.v1';
import type { FreezeOverrideRejectedV1 } from './events/freeze-override-rejected.v1';
import type { FreezeOverrideRequestedV1 } from './events/freeze-override-requested.v1';
import type { FreezeOverrideRevokedV1 } from './events/freeze-override-revoked.v1';
import type { FreezeOverrideUsedV1 } from './events/freeze-override-used.v1';
import type { OverrideScopeV1 } from './events/freeze-override-values.v1';
import type { OverrideReviewClosedV1 } from './events/override-review-closed.v1';
import type { OverrideReviewOpenedV1 } from './events/override-review-opened.v1';
import { schedulingDataschema } from './scheduling.topics';

/** Every override event scheduling publishes on `trainyard.scheduling.events.v1`. */
export type OverrideIntegrationEvent =
  | {
      readonly type: 'FreezeOverrideRequested';
      readonly version: 1;
      readonly data: FreezeOverrideRequestedV1;
    }
  | {
      readonly type: 'FreezeOverrideApproved';
      readonly version: 1;
      readonly data: FreezeOverrideApprovedV1;
    }
  | {
      readonly type: 'FreezeOverrideActivated';
      readonly version: 1;
      readonly data: FreezeOverrideActivatedV1;
    }
  | {
      readonly type: 'FreezeOverrideRejected';
      readonly version: 1;
      readonly data: FreezeOverrideRejectedV1;
    }
  | {
      readonly type: 'FreezeOverrideRevoked';
      readonly version: 1;
      readonly data: FreezeOverrideRevokedV1;
    }
  | {
      readonly type: 'FreezeOverrideUsed';
      readonly version: 1;
      readonly data: FreezeOverrideUsedV1;
    }
  | {
      readonly type: 'FreezeOverrideExpired';
      readonly version: 1;
      readonly data: FreezeOverrideExpiredV1;
    }
  | {
      readonly type: 'OverrideReviewOpened';
      readonly version: 1;
      readonly data: OverrideReviewOpenedV1;
    }
  | {
      readonly type: 'OverrideReviewClosed';
      readonly version: 1;
      readonly data: OverrideReviewClosedV1;
    };

/** The catalogue of (type, version) for the AsyncAPI document and the union of scheduling's events. */
export const OVERRIDE_INTEGRATION_EVENTS: readonly {
  readonly type: OverrideIntegrationEvent['type'];
  readonly version: 1;
}[] = (
  [
    'FreezeOverrideRequested',
    'FreezeOverrideApproved',
    'FreezeOverrideActivated',
    'FreezeOverrideRejected',
    'FreezeOverrideRevoked',
    'FreezeOverrideUsed',
    'FreezeOverrideExpired',
    'OverrideReviewOpened',
    'OverrideReviewClosed',
  ] as const
).map((type) => ({ type, version: 1 as const }));

const scopeV1 = (scope: CalendarScope): OverrideScopeV1 => ({
  ...(scope.trains?.length ? { trains: [...scope.trains] } : {}),
  ...(scope.teams?.length ? { teams: [...scope.teams] } : {}),
  ...(scope.environments?.length ? { environments: [...scope.environments] } : {}),
  ...(scope.components?.length ? { components: [...scope.components] } : {}),
});

/** The integration event an override domain event is published as. */
export function toOverrideIntegrationEvent(
  event: FreezeOverrideEvent,
): OverrideIntegrationEvent | undefined {
  switch (event.type) {
    case 'FreezeOverrideRequested': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          freezeId: d.freezeId,
          scope: scopeV1(d.scope),
          from: d.from,
          to: d.to,
          reason: d.reason,
          requestedBy: d.requestedBy,
          requestedAt: d.requestedAt,
          requiredApprovals: d.requiredApprovals,
          approvalRule: d.approvalRule,
          policyVersion: d.policyVersion,
        },
      };
    }
    case 'FreezeOverrideApproved': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          approvedBy: d.approvedBy,
          approvedAt: d.approvedAt,
          approvalCount: d.approvalCount,
          requiredApprovals: d.requiredApprovals,
        },
      };
    }
    case 'FreezeOverrideActivated': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          freezeId: d.freezeId,
          scope: scopeV1(d.scope),
          from: d.from,
          to: d.to,
          activatedAt: d.activatedAt,
          approvers: [...d.approvers],
        },
      };
    }
    case 'FreezeOverrideRejected': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          rejectedBy: d.rejectedBy,
          rejectedAt: d.rejectedAt,
          reason: d.reason,
        },
      };
    }
    case 'FreezeOverrideRevoked': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          revokedBy: d.revokedBy,
          revokedAt: d.revokedAt,
          reason: d.reason,
          wasActive: d.wasActive,
        },
      };
    }
    case 'FreezeOverrideUsed': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          freezeId: d.freezeId,
          deploymentId: d.deploymentId,
          start: d.start,
          end: d.end,
          scope: scopeV1(d.scope),
          usedBy: d.usedBy,
          recordedAt: d.recordedAt,
        },
      };
    }
    case 'FreezeOverrideExpired': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          expiredAt: d.expiredAt,
          recordedAt: d.recordedAt,
          wasActive: d.wasActive,
        },
      };
    }
    case 'OverrideReviewOpened': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          freezeId: d.freezeId,
          requestedBy: d.requestedBy,
          trigger: d.trigger,
          openedAt: d.openedAt,
          dueAt: d.dueAt,
          useCount: d.useCount,
        },
      };
    }
    case 'OverrideReviewClosed': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          overrideId: d.overrideId,
          outcome: d.outcome,
          notes: d.notes,
          closedBy: d.closedBy,
          closedAt: d.closedAt,
          late: d.late,
        },
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

const OVERRIDE_TYPES: ReadonlySet<string> = new Set(OVERRIDE_INTEGRATION_EVENTS.map((e) => e.type));

/**
 * The relay's mapping for override events (ServiceDefinition.integrationEvents): the integration
 * event of a stored override event with its schema URI; undefined for any other event, so it
 * composes with the calendar's mapping (`a(stored) ?? b(stored)`).
 */
export function overrideIntegrationEventOf(stored: {
  readonly type: string;
  readonly data: unknown;
}): (OverrideIntegrationEvent & { readonly dataschema: string }) | undefined {
  if (!OVERRIDE_TYPES.has(stored.type)) return undefined;
  const event = toOverrideIntegrationEvent({
    type: stored.type,
    data: stored.data,
  } as FreezeOverrideEvent);
  return event && { ...event, dataschema: schedulingDataschema(event) };
}
