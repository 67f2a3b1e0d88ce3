import type { InstantV1 } from './planning-values.v1';

/** Scope negotiation (before the commit) included or excluded a workload. */
export interface ReleaseScopeNegotiatedV1 {
  readonly releaseId: string;
  readonly workloadId: string;
  readonly change: 'include' | 'exclude';
  readonly reason?: string;
  readonly negotiatedBy: string;
  readonly negotiatedAt: InstantV1;
}
