import type { PolicyBundleApprovedV1 } from './events/policy-bundle-approved.v1';
import type { PolicyEvaluatedV1 } from './events/policy-evaluated.v1';
import type { ComplianceSampleDrawnV1 } from './events/compliance-sample-drawn.v1';
import type { ComplianceFindingRaisedV1 } from './events/compliance-finding-raised.v1';
import {
  ACCESS_INTEGRATION_EVENTS,
  type AccessIntegrationEvent,
} from './access-integration.mapping';
import {
  PRIVACY_INTEGRATION_EVENTS,
  type PrivacyIntegrationEvent,
} from './privacy-integration.mapping';
import {
  REVIEW_INTEGRATION_EVENTS,
  type ReviewIntegrationEvent,
} from './review-integration.mapping';

export interface IntegrationEvent<TType extends string, TVersion extends number, TData> {
  readonly type: TType;
  readonly version: TVersion;
  readonly data: TData;
}

/** Every event compliance publishes on `trainyard.compliance.events.v1`. */
export type ComplianceIntegrationEvent =
  | IntegrationEvent<'PolicyBundleApproved', 1, PolicyBundleApprovedV1>
  | IntegrationEvent<'PolicyEvaluated', 1, PolicyEvaluatedV1>
  | IntegrationEvent<'ComplianceSampleDrawn', 1, ComplianceSampleDrawnV1>
  | IntegrationEvent<'ComplianceFindingRaised', 1, ComplianceFindingRaisedV1>
  | ReviewIntegrationEvent
  | AccessIntegrationEvent
  | PrivacyIntegrationEvent;

/** The catalogue: type → published versions. */
export const COMPLIANCE_INTEGRATION_EVENTS: Readonly<
  Record<ComplianceIntegrationEvent['type'], readonly number[]>
> = {
  PolicyBundleApproved: [1],
  PolicyEvaluated: [1],
  ComplianceSampleDrawn: [1],
  ComplianceFindingRaised: [1],
  ...REVIEW_INTEGRATION_EVENTS,
  ...ACCESS_INTEGRATION_EVENTS,
  ...PRIVACY_INTEGRATION_EVENTS,
};
