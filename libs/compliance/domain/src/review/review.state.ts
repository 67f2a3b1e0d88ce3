import type { RegulatedDataClass } from './sign-off-policy';

export interface SignOff {
  readonly signer: string;
  readonly role: string;
  readonly signedAt: string;
}

export interface ChangeReviewState {
  readonly status: 'Open' | 'Approved';
  readonly title: string;
  readonly author: string;
  readonly dataClasses: readonly RegulatedDataClass[];
  readonly policyVersion: string;
  readonly requiredSignOffs: number;
  readonly allowedRoles: readonly string[];
  readonly signOffs: readonly SignOff[];
}

export interface RetrospectiveReviewState {
  readonly status: 'Open' | 'Overdue' | 'Closed';
  readonly releaseId: string;
  readonly requestedBy: string;
  readonly dueAt: string;
  readonly findings?: string;
}

/** One stream per workload: its change review and, for an emergency patch, its retrospective one. */
export interface Review {
  readonly workloadId?: string;
  readonly change?: ChangeReviewState;
  readonly retrospective?: RetrospectiveReviewState;
}

export const initialReview = (): Review => ({});
