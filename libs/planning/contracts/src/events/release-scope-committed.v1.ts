import type { ChangeTypeV1, InstantV1, VersionSkewV1 } from './planning-values.v1';

/** The release scope was committed. Compliance, scheduling and deployment start from here. */
export interface ReleaseScopeCommittedV1 {
  readonly releaseId: string;
  readonly trainId: string;
  /** Included workloads only; each deferral is a WorkloadDeferred on the workload's stream. */
  readonly workloads: readonly {
    readonly workloadId: string;
    readonly team: string;
    readonly jobSize: number;
    readonly changeType: ChangeTypeV1;
    /** Position (from 1) in the order allocation considered the candidates. */
    readonly order: number;
  }[];
  /** Waves (from 1) deploy in ascending order. */
  readonly deploymentOrder: readonly { readonly workloadId: string; readonly wave: number }[];
  /** Present when included workloads ship a shared library at different versions. */
  readonly versionSkews?: readonly VersionSkewV1[];
  readonly capacityTotal: number;
  readonly capacityUsed: number;
  readonly deferredCount: number;
  readonly policyVersion: string;
  readonly committedBy: string;
  readonly committedAt: InstantV1;
}
