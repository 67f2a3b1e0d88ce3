import type { Command } from '@trainyard/kernel';

/** A workload of the committed scope, as planning's ReleaseScopeCommitted carries it. */
export interface ScopeWorkload {
  readonly workloadId: string;
  readonly team: string;
  readonly jobSize: number;
  /** Planning's change type: the workload type expected durations are kept by. */
  readonly changeType: string;
}

export interface PlaceReleaseScopeData {
  readonly releaseId: string;
  readonly trainId: string;
  readonly workloads: readonly ScopeWorkload[];
  /** Waves (from 1) deploy in ascending order. */
  readonly deploymentOrder: readonly { readonly workloadId: string; readonly wave: number }[];
  /** When planning committed the scope: the lead time and the deadline count from here. */
  readonly committedAt: string;
}

/** What made a placed plan stale. */
export interface RescheduleTrigger {
  readonly kind: 'freeze-added' | 'override-expired' | 'window-changed';
  /** The freeze, override or window that changed. */
  readonly id: string;
}

export interface ReplaceDeploymentsData {
  readonly releaseId: string;
  readonly trigger: RescheduleTrigger;
}

export interface RecordDeploymentStartedData {
  readonly releaseId: string;
  readonly deploymentId: string;
  readonly startedAt: string;
}

export type DeploymentOutcome = 'succeeded' | 'failed' | 'rolled-back';
export const DEPLOYMENT_OUTCOMES: readonly DeploymentOutcome[] = [
  'succeeded',
  'failed',
  'rolled-back',
];

export interface RecordDeploymentFinishedData {
  readonly releaseId: string;
  readonly deploymentId: string;
  readonly finishedAt: string;
  readonly outcome: DeploymentOutcome;
}

export type PlaceReleaseScope = Command<'PlaceReleaseScope', PlaceReleaseScopeData>;
export type ReplaceDeployments = Command<'ReplaceDeployments', ReplaceDeploymentsData>;
export type RecordDeploymentStarted = Command<
  'RecordDeploymentStarted',
  RecordDeploymentStartedData
>;
export type RecordDeploymentFinished = Command<
  'RecordDeploymentFinished',
  RecordDeploymentFinishedData
>;

export type DeploymentPlanCommand =
  PlaceReleaseScope | ReplaceDeployments | RecordDeploymentStarted | RecordDeploymentFinished;
