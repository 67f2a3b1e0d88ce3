import type { Classification } from '../policy/classification';
import type { RiskTier, TrackKind } from '../policy/planning-policy';
import type { DomainEvent } from '@trainyard/kernel';
import type { RegisterWorkloadData } from './workload.commands';

export type WorkloadRegistered = DomainEvent<
  'WorkloadRegistered',
  RegisterWorkloadData & {
    readonly classification: Classification;
    readonly riskTier: RiskTier;
    readonly approvalPath: string;
    readonly riskReasons: readonly string[];
    readonly route: { readonly trackId: string; readonly trackKind: TrackKind };
    readonly policyVersion: string;
    readonly registeredBy: string;
    readonly registeredAt: string;
  }
>;

export type WorkloadPlanned = DomainEvent<
  'WorkloadPlanned',
  {
    readonly workloadId: string;
    readonly team: string;
    readonly releaseId: string;
    readonly plannedBy: string;
    readonly plannedAt: string;
  }
>;

export type WorkloadDeferred = DomainEvent<
  'WorkloadDeferred',
  {
    readonly workloadId: string;
    readonly team: string;
    readonly releaseId?: string;
    readonly reason: string;
    /** How many times this workload has now been deferred, this one included. */
    readonly deferralCount: number;
    readonly deferredBy: string;
    readonly deferredAt: string;
  }
>;

export type WorkloadCompleted = DomainEvent<
  'WorkloadCompleted',
  {
    readonly workloadId: string;
    readonly team: string;
    readonly releaseId: string;
    readonly completedJobSize: number;
    readonly completedAt: string;
  }
>;

export type WorkloadWithdrawn = DomainEvent<
  'WorkloadWithdrawn',
  {
    readonly workloadId: string;
    readonly team: string;
    readonly reason: string;
    readonly withdrawnBy: string;
    readonly withdrawnAt: string;
  }
>;

export type WorkloadEvent =
  WorkloadRegistered | WorkloadPlanned | WorkloadDeferred | WorkloadCompleted | WorkloadWithdrawn;
