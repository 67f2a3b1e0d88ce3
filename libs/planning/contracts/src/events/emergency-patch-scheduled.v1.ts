import type { InstantV1 } from './planning-values.v1';

/** An emergency patch release was opened on an independent track. */
export interface EmergencyPatchScheduledV1 {
  readonly releaseId: string;
  /** An independent track. */
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
  readonly scheduledAt: InstantV1;
}
