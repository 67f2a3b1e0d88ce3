import type { ReviewEvent } from '@trainyard/compliance-domain';
import type {
  ChangeReviewApprovedV1,
  ChangeSignedOffV1,
  DeploymentRefusedV1,
  RetrospectiveReviewOverdueV1,
} from './events/review-events.v1';

interface V1<TType extends string, TData> {
  readonly type: TType;
  readonly version: 1;
  readonly data: TData;
}

export type ReviewIntegrationEvent =
  | V1<'ChangeSignedOff', ChangeSignedOffV1>
  | V1<'ChangeReviewApproved', ChangeReviewApprovedV1>
  | V1<'DeploymentRefused', DeploymentRefusedV1>
  | V1<'RetrospectiveReviewOverdue', RetrospectiveReviewOverdueV1>;

export const REVIEW_INTEGRATION_EVENTS: Readonly<
  Record<ReviewIntegrationEvent['type'], readonly number[]>
> = {
  ChangeSignedOff: [1],
  ChangeReviewApproved: [1],
  DeploymentRefused: [1],
  RetrospectiveReviewOverdue: [1],
};

export const REVIEW_DOMAIN_EVENT_TYPES: readonly string[] = [
  'ChangeReviewOpened',
  'ChangeSignedOff',
  'ChangeReviewApproved',
  'DeploymentAuthorised',
  'DeploymentRefused',
  'RetrospectiveReviewOpened',
  'RetrospectiveReviewClosed',
  'RetrospectiveReviewOverdue',
];

/** Review domain events → integration events; every published field copied by name. */
export function reviewToIntegrationEvent(event: ReviewEvent): ReviewIntegrationEvent | undefined {
  switch (event.type) {
    case 'ChangeSignedOff': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          signer: d.signer,
          role: d.role,
          signedAt: d.signedAt,
          signOffs: d.signOffs,
          requiredSignOffs: d.requiredSignOffs,
        },
      };
    }
    case 'ChangeReviewApproved': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: { workloadId: d.workloadId, signers: [...d.signers], approvedAt: d.approvedAt },
      };
    }
    case 'DeploymentRefused': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          deployer: d.deployer,
          rule: d.rule,
          reason: d.reason,
          decidedAt: d.decidedAt,
        },
      };
    }
    case 'RetrospectiveReviewOverdue': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          workloadId: d.workloadId,
          releaseId: d.releaseId,
          dueAt: d.dueAt,
          detectedAt: d.detectedAt,
        },
      };
    }
    // Internal (read model and the log): openings, closings, authorisations.
    case 'ChangeReviewOpened':
    case 'DeploymentAuthorised':
    case 'RetrospectiveReviewOpened':
    case 'RetrospectiveReviewClosed':
      return undefined;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
