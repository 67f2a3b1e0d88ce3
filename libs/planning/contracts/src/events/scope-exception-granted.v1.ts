import type { InstantV1 } from './planning-values.v1';

/** An approved exception changed committed scope; a ReleaseWorkloadIncluded/Excluded follows. */
export interface ScopeExceptionGrantedV1 {
  readonly releaseId: string;
  readonly workloadId: string;
  readonly change: 'include' | 'exclude';
  readonly reason: string;
  /** Never the requester (independent-approver rule). */
  readonly approver: string;
  readonly requestedBy: string;
  readonly grantedAt: InstantV1;
}
