import type { VersionSkew } from '../dependencies/version-skew';
import type { TeamDelivery } from '../capacity/velocity';
import type { ChangeType } from '../policy/planning-policy';
import type { DomainEvent } from '@trainyard/kernel';
import type { ReleaseWindow } from './release.commands';

export type ReleasePlanned = DomainEvent<
  'ReleasePlanned',
  {
    readonly releaseId: string;
    readonly trainId: string;
    readonly window: ReleaseWindow;
    readonly plannedBy: string;
    readonly plannedAt: string;
  }
>;

export type ReleaseScopeNegotiated = DomainEvent<
  'ReleaseScopeNegotiated',
  {
    readonly releaseId: string;
    readonly workloadId: string;
    readonly change: 'include' | 'exclude';
    readonly reason?: string;
    readonly negotiatedBy: string;
    readonly negotiatedAt: string;
  }
>;

export interface CommittedWorkload {
  readonly workloadId: string;
  readonly team: string;
  readonly jobSize: number;
  readonly changeType: ChangeType;
  readonly order: number;
  /** Why allocation included it; absent in events committed before it was recorded. */
  readonly reason?: string;
}

export type ReleaseScopeCommitted = DomainEvent<
  'ReleaseScopeCommitted',
  {
    readonly releaseId: string;
    readonly trainId: string;
    /** Included workloads only; each deferral is recorded on the workload's own stream. */
    readonly workloads: readonly CommittedWorkload[];
    readonly deploymentOrder: readonly { readonly workloadId: string; readonly wave: number }[];
    /** Shared libraries the included workloads ship at different versions; absent before they were tracked. */
    readonly versionSkews?: readonly VersionSkew[];
    readonly capacityTotal: number;
    readonly capacityUsed: number;
    readonly deferredCount: number;
    /** The workloads allocation left out, and why; absent in events committed before it was recorded. */
    readonly deferred?: readonly { readonly workloadId: string; readonly reason: string }[];
    readonly policyVersion: string;
    readonly committedBy: string;
    readonly committedAt: string;
  }
>;

export type ComplianceGuaranteeMissed = DomainEvent<
  'ComplianceGuaranteeMissed',
  {
    readonly releaseId: string;
    readonly workloadId: string;
    readonly team: string;
    readonly reason: string;
    readonly detectedAt: string;
  }
>;

export type ScopeExceptionGranted = DomainEvent<
  'ScopeExceptionGranted',
  {
    readonly releaseId: string;
    readonly workloadId: string;
    readonly change: 'include' | 'exclude';
    readonly reason: string;
    readonly approver: string;
    readonly requestedBy: string;
    readonly grantedAt: string;
  }
>;

export type ReleaseWorkloadIncluded = DomainEvent<
  'ReleaseWorkloadIncluded',
  {
    readonly releaseId: string;
    readonly workloadId: string;
    readonly team: string;
    readonly jobSize: number;
    /** Added after commit, so it counts as unplanned work. */
    readonly unplanned: true;
    readonly capacityUsed: number;
    readonly capacityTotal: number;
    readonly includedAt: string;
  }
>;

export type ReleaseWorkloadExcluded = DomainEvent<
  'ReleaseWorkloadExcluded',
  {
    readonly releaseId: string;
    readonly workloadId: string;
    readonly team: string;
    readonly jobSize: number;
    readonly excludedAt: string;
  }
>;

export type EmergencyPatchScheduled = DomainEvent<
  'EmergencyPatchScheduled',
  {
    readonly releaseId: string;
    readonly trackId: string;
    readonly workloadId: string;
    readonly team: string;
    readonly jobSize: number;
    readonly severity: number;
    readonly linkedIncident?: string;
    readonly approver?: string;
    readonly unplanned: true;
    readonly policyVersion: string;
    readonly requestedBy: string;
    readonly scheduledAt: string;
  }
>;

export type ReleaseClosed = DomainEvent<
  'ReleaseClosed',
  {
    readonly releaseId: string;
    readonly trainId: string;
    readonly kind: 'train' | 'emergency';
    readonly completed: readonly {
      readonly workloadId: string;
      readonly team: string;
      readonly jobSize: number;
      readonly unplanned: boolean;
    }[];
    /** In scope but not delivered; they go back to the backlog. */
    readonly notCompleted: readonly string[];
    /** Per team, for velocity-based capacity (planned vs unplanned kept apart). */
    readonly teams: readonly TeamDelivery[];
    readonly closedBy: string;
    readonly closedAt: string;
  }
>;

export type ReleaseCancelled = DomainEvent<
  'ReleaseCancelled',
  {
    readonly releaseId: string;
    readonly reason: string;
    /** Scope that returns to the backlog. */
    readonly workloadIds: readonly string[];
    readonly cancelledBy: string;
    readonly cancelledAt: string;
  }
>;

export type ReleaseEvent =
  | ReleasePlanned
  | ReleaseScopeNegotiated
  | ReleaseScopeCommitted
  | ComplianceGuaranteeMissed
  | ScopeExceptionGranted
  | ReleaseWorkloadIncluded
  | ReleaseWorkloadExcluded
  | EmergencyPatchScheduled
  | ReleaseClosed
  | ReleaseCancelled;
