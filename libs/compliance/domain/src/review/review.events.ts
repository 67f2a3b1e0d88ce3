import type { DomainEvent } from '@trainyard/kernel';
import type { RegulatedDataClass } from './sign-off-policy';

export type ChangeReviewOpened = DomainEvent<
  'ChangeReviewOpened',
  {
    readonly workloadId: string;
    readonly title: string;
    readonly author: string;
    readonly dataClasses: readonly RegulatedDataClass[];
    readonly policyVersion: string;
    readonly requiredSignOffs: number;
    readonly allowedRoles: readonly string[];
    readonly openedAt: string;
  }
>;
export type ChangeSignedOff = DomainEvent<
  'ChangeSignedOff',
  {
    readonly workloadId: string;
    readonly signer: string;
    readonly role: string;
    readonly signedAt: string;
    /** Distinct sign-offs so far, this one included. */
    readonly signOffs: number;
    readonly requiredSignOffs: number;
  }
>;
export type ChangeReviewApproved = DomainEvent<
  'ChangeReviewApproved',
  {
    readonly workloadId: string;
    readonly signers: readonly string[];
    readonly approvedAt: string;
  }
>;
export type DeploymentAuthorised = DomainEvent<
  'DeploymentAuthorised',
  { readonly workloadId: string; readonly deployer: string; readonly decidedAt: string }
>;
export type DeploymentRefused = DomainEvent<
  'DeploymentRefused',
  {
    readonly workloadId: string;
    readonly deployer: string;
    /** `sod-approver-cannot-deploy` or `review-not-approved`. */
    readonly rule: string;
    readonly reason: string;
    readonly decidedAt: string;
  }
>;
export type RetrospectiveReviewOpened = DomainEvent<
  'RetrospectiveReviewOpened',
  {
    readonly workloadId: string;
    readonly releaseId: string;
    readonly requestedBy: string;
    readonly policyVersion: string;
    readonly openedAt: string;
    readonly dueAt: string;
  }
>;
export type RetrospectiveReviewClosed = DomainEvent<
  'RetrospectiveReviewClosed',
  {
    readonly workloadId: string;
    readonly releaseId: string;
    readonly findings: string;
    readonly closedBy: string;
    readonly closedAt: string;
    /** True when closed after its due time. */
    readonly late: boolean;
  }
>;
/** A finding: the retrospective review of an emergency change was not done in time. */
export type RetrospectiveReviewOverdue = DomainEvent<
  'RetrospectiveReviewOverdue',
  {
    readonly workloadId: string;
    readonly releaseId: string;
    readonly dueAt: string;
    readonly detectedAt: string;
  }
>;

export type ReviewEvent =
  | ChangeReviewOpened
  | ChangeSignedOff
  | ChangeReviewApproved
  | DeploymentAuthorised
  | DeploymentRefused
  | RetrospectiveReviewOpened
  | RetrospectiveReviewClosed
  | RetrospectiveReviewOverdue;

export const REVIEW_EVENT_TYPES: readonly ReviewEvent['type'][] = [
  'ChangeReviewOpened',
  'ChangeSignedOff',
  'ChangeReviewApproved',
  'DeploymentAuthorised',
  'DeploymentRefused',
  'RetrospectiveReviewOpened',
  'RetrospectiveReviewClosed',
  'RetrospectiveReviewOverdue',
];
