// Domain events → integration events (docs/adr/0009-integration-events.md): the domain's types are
// imported for types only, every published field is copied by name, and the exhaustive switch
// fails typecheck when a new domain event is neither mapped nor marked not published.
import type { EvaluationRecord, PolicyEvent } from '@trainyard/compliance-domain';
import type { ComplianceIntegrationEvent } from './compliance-integration-event';
import { complianceDataschema } from './compliance.topics';
import { REVIEW_DOMAIN_EVENT_TYPES, reviewToIntegrationEvent } from './review-integration.mapping';
import type {
  AccessEvent,
  ComplianceFindingRaised,
  ComplianceSampleDrawn,
  ReviewEvent,
} from '@trainyard/compliance-domain';
import {
  ACCESS_DOMAIN_EVENT_TYPES,
  SAMPLING_DOMAIN_EVENT_TYPES,
  accessToIntegrationEvent,
  samplingToIntegrationEvent,
} from './access-integration.mapping';
import type { PrivacyEvent } from '@trainyard/compliance-domain';
import {
  PRIVACY_DOMAIN_EVENT_TYPES,
  privacyToIntegrationEvent,
} from './privacy-integration.mapping';

/**
 * `PolicyEvaluated` with its explanation expanded (`evaluationRecordOf`): the event stores it in a
 * compact form (schema version 2), the contract publishes each rule's sentence. The service
 * expands it before calling `complianceIntegrationEventOf` (apps/compliance `publishedEventOf`).
 */
export interface PolicyEvaluatedRecord {
  readonly type: 'PolicyEvaluated';
  readonly data: EvaluationRecord;
}

export type ComplianceDomainEvent = PolicyEvent | PolicyEvaluatedRecord;

export function toIntegrationEvent(
  event: ComplianceDomainEvent,
): ComplianceIntegrationEvent | undefined {
  switch (event.type) {
    case 'PolicyBundleApproved': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          policyId: d.policyId,
          version: d.version,
          proposedBy: d.proposedBy,
          approvedBy: d.approvedBy,
          approvedAt: d.approvedAt,
          ...(d.previousVersion !== undefined ? { previousVersion: d.previousVersion } : {}),
        },
      };
    }
    case 'PolicyEvaluated': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          evaluationId: d.evaluationId,
          subject: { type: d.subject.type, id: d.subject.id },
          trigger: d.trigger,
          policyId: d.policyId,
          bundleVersion: d.bundleVersion,
          evaluatorVersion: d.evaluatorVersion,
          result: d.result,
          rules: d.rules.map((r) => ({
            ruleId: r.ruleId,
            effect: r.effect,
            controls: [...r.controls],
            outcome: r.outcome,
            reason: r.reason,
          })),
          ...(d.cause ? { cause: { eventId: d.cause.eventId, eventType: d.cause.eventType } } : {}),
          evaluatedAt: d.evaluatedAt,
        },
      };
    }
    // Internal: a proposal or rejection is not a decision GRC tools act on (the ledger reads the log).
    case 'PolicyBundleProposed':
    case 'PolicyBundleRejected':
      return undefined;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The service's publishing rule (ServiceDefinition.integrationEvents). */
export function complianceIntegrationEventOf(stored: {
  readonly type: string;
  readonly data: unknown;
}): (ComplianceIntegrationEvent & { readonly dataschema: string }) | undefined {
  const known = [
    'PolicyBundleProposed',
    'PolicyBundleApproved',
    'PolicyBundleRejected',
    'PolicyEvaluated',
  ];
  if (ACCESS_DOMAIN_EVENT_TYPES.includes(stored.type)) {
    const access = accessToIntegrationEvent(stored as AccessEvent);
    return { ...access, dataschema: complianceDataschema(access) };
  }
  if (SAMPLING_DOMAIN_EVENT_TYPES.includes(stored.type)) {
    const sampling = samplingToIntegrationEvent(
      stored as ComplianceSampleDrawn | ComplianceFindingRaised,
    );
    return { ...sampling, dataschema: complianceDataschema(sampling) };
  }
  if (PRIVACY_DOMAIN_EVENT_TYPES.includes(stored.type)) {
    const privacy = privacyToIntegrationEvent(stored as PrivacyEvent);
    return { ...privacy, dataschema: complianceDataschema(privacy) };
  }
  if (REVIEW_DOMAIN_EVENT_TYPES.includes(stored.type)) {
    const review = reviewToIntegrationEvent(stored as ReviewEvent);
    return review && { ...review, dataschema: complianceDataschema(review) };
  }
  if (!known.includes(stored.type)) return undefined;
  const event = toIntegrationEvent(stored as ComplianceDomainEvent);
  return event && { ...event, dataschema: complianceDataschema(event) };
}
