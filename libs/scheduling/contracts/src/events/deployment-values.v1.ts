// Value types shared by the deployment-plan integration events, version 1: plain wire data.

/** UTC instant `YYYY-MM-DDTHH:MM:SSZ` (slots) or RFC 3339 (recorded times). */
export type InstantV1 = string;

/** A candidate slot placement turned down, with the rule and the other party in words. */
export interface RejectedSlotV1 {
  readonly start: InstantV1;
  readonly end: InstantV1;
  /** e.g. `freeze`, `outside-deployment-window`, `maintenance`, `component-overlap`, `owner-booked`. */
  readonly rule: string;
  readonly party: string;
}

export interface DeploymentSlotV1 {
  /** `<releaseId>:<workloadId>:<environment>`. */
  readonly deploymentId: string;
  readonly workloadId: string;
  readonly team: string;
  /** Planning's change type; expected durations are kept per workload type. */
  readonly workloadType: string;
  readonly environment: string;
  readonly components: readonly string[];
  readonly owner?: string;
  readonly wave: number;
  readonly start: InstantV1;
  readonly end: InstantV1;
  readonly expectedDuration: {
    readonly minutes: number;
    readonly basis: 'configured-default' | 'observed-percentile';
    readonly samples: number;
    readonly percentile: number;
    readonly policyVersion: string;
  };
  /** Every earlier candidate slot and why it was rejected, earliest first. */
  readonly rejected: readonly RejectedSlotV1[];
}
