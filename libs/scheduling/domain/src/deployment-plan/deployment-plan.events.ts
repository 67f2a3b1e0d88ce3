import type { DomainEvent } from '@trainyard/kernel';
import type { ExpectedDurationBasis } from '../durations/expected-duration';
import type { DeploymentOutcome, RescheduleTrigger } from './deployment-plan.commands';

/** A candidate slot that was turned down, and why (the placement engine's rule and other party). */
export interface RejectedSlot {
  readonly start: string;
  readonly end: string;
  readonly rule: string;
  /** The other party in words, e.g. `freeze F-1`, `deployment R-1:W-2:staging on checkout`. */
  readonly party: string;
}

export interface ExpectedDurationFact {
  readonly minutes: number;
  readonly basis: ExpectedDurationBasis;
  readonly samples: number;
  readonly percentile: number;
  readonly policyVersion: string;
}

/** One placed deployment: a workload in one environment. */
export interface DeploymentSlot {
  /** `<releaseId>:<workloadId>:<environment>`. */
  readonly deploymentId: string;
  readonly workloadId: string;
  readonly team: string;
  /** Planning's change type. */
  readonly workloadType: string;
  readonly environment: string;
  readonly components: readonly string[];
  readonly owner?: string;
  readonly wave: number;
  /** UTC instants `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly start: string;
  readonly end: string;
  readonly expectedDuration: ExpectedDurationFact;
  /** Every earlier candidate slot and the reason it was rejected, earliest first. */
  readonly rejected: readonly RejectedSlot[];
}

export interface UnplacedDeployment {
  readonly deploymentId: string;
  readonly workloadId: string;
  readonly team: string;
  readonly environment: string;
  readonly wave: number;
  readonly rule: string;
  readonly message: string;
  readonly rejected: readonly RejectedSlot[];
}

export type DeploymentScheduled = DomainEvent<
  'DeploymentScheduled',
  {
    readonly releaseId: string;
    readonly trainId: string;
    readonly deadline: string;
    readonly deployments: readonly DeploymentSlot[];
    readonly targetVersion: string;
    readonly scheduledBy: string;
    readonly scheduledAt: string;
  }
>;

/** An alert: the scope cannot be placed before its deadline. Nothing of it is scheduled. */
export type DeploymentPlacementFailed = DomainEvent<
  'DeploymentPlacementFailed',
  {
    readonly releaseId: string;
    readonly trainId: string;
    readonly deadline: string;
    readonly unplaced: readonly UnplacedDeployment[];
    readonly placedCount: number;
    readonly reason: string;
    readonly targetVersion: string;
    readonly failedAt: string;
  }
>;

export type DeploymentRescheduled = DomainEvent<
  'DeploymentRescheduled',
  {
    readonly releaseId: string;
    readonly trigger: RescheduleTrigger;
    readonly reason: string;
    /** The new slots of the deployments that moved. */
    readonly deployments: readonly (DeploymentSlot & {
      readonly previousStart: string;
      readonly previousEnd: string;
    })[];
    readonly rescheduledBy: string;
    readonly rescheduledAt: string;
  }
>;

export type DeploymentStarted = DomainEvent<
  'DeploymentStarted',
  {
    readonly releaseId: string;
    readonly deploymentId: string;
    readonly workloadType: string;
    readonly startedAt: string;
    readonly recordedBy: string;
  }
>;

/** Expected against actual, per deployment: what the durations read model learns from. */
export type DeploymentFinished = DomainEvent<
  'DeploymentFinished',
  {
    readonly releaseId: string;
    readonly deploymentId: string;
    readonly workloadType: string;
    readonly outcome: DeploymentOutcome;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly expectedMinutes: number;
    readonly actualMinutes: number;
    readonly varianceMinutes: number;
    readonly recordedBy: string;
  }
>;

export type DeploymentPlanEvent =
  | DeploymentScheduled
  | DeploymentPlacementFailed
  | DeploymentRescheduled
  | DeploymentStarted
  | DeploymentFinished;
