import type { Command } from '@trainyard/kernel';
import type { RegulatedDataClass, SignOffPolicy } from './sign-off-policy';

/** From planning's WorkloadRegistered: `author` is who registered the workload. */
export type OpenChangeReview = Command<
  'OpenChangeReview',
  {
    readonly workloadId: string;
    readonly title: string;
    readonly author: string;
    readonly dataClasses: readonly RegulatedDataClass[];
    readonly policy: SignOffPolicy;
  }
>;
/** The signer is `metadata.actor`, signing in `role`. */
export type SignOffChange = Command<
  'SignOffChange',
  { readonly workloadId: string; readonly role: string }
>;
/** Separation of duties: may `deployer` deploy this workload's change? Always answered by an event. */
export type CheckDeploymentAllowed = Command<
  'CheckDeploymentAllowed',
  { readonly workloadId: string; readonly deployer: string }
>;
/** From planning's EmergencyPatchScheduled. */
export type OpenRetrospectiveReview = Command<
  'OpenRetrospectiveReview',
  {
    readonly workloadId: string;
    readonly releaseId: string;
    readonly requestedBy: string;
    readonly scheduledAt: string;
    readonly policy: SignOffPolicy;
  }
>;
/** The reviewer is `metadata.actor`. */
export type CloseRetrospectiveReview = Command<
  'CloseRetrospectiveReview',
  { readonly workloadId: string; readonly findings: string }
>;
/** The sweeper's: records the overdue finding once `metadata.now` is past the due time. */
export type MarkRetrospectiveReviewOverdue = Command<
  'MarkRetrospectiveReviewOverdue',
  { readonly workloadId: string }
>;

export type ReviewCommand =
  | OpenChangeReview
  | SignOffChange
  | CheckDeploymentAllowed
  | OpenRetrospectiveReview
  | CloseRetrospectiveReview
  | MarkRetrospectiveReviewOverdue;
