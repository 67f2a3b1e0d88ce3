import type { ChangeType, RegulatedDataClass } from '../policy/planning-policy';
import type { ApiContract, Component, SharedLibrary } from '../policy/workload-facts';
import type { Command, SealedPersonalData } from '@trainyard/kernel';

export interface RegisterWorkloadData {
  readonly workloadId: string;
  readonly title: string;
  readonly team: string;
  readonly components: readonly Component[];
  readonly regulatedData: readonly RegulatedDataClass[];
  readonly jobSize: number;
  readonly businessValue: number;
  readonly timeCriticality: number;
  readonly riskReduction: number;
  /** The submitter's hint; the classification rules decide. */
  readonly changeType?: ChangeType;
  readonly dependsOn: readonly string[];
  /** The API contract this workload changes. */
  readonly apiContract?: ApiContract;
  /** API versions its components call; checked against deprecation timelines. */
  readonly consumedApis?: readonly ApiContract[];
  readonly schemaChange: boolean;
  /** Shared libraries it builds with; workloads of one release on different versions are skew. */
  readonly libraries?: readonly SharedLibrary[];
  readonly featureFlag?: string;
  readonly severity?: number;
  readonly linkedIncident?: string;
  /**
   * Who asked for it: the name sealed for its data subject by the edge (issue 13 item 6), so the
   * event holds ciphertext only and erasing the subject's key makes it unreadable everywhere.
   */
  readonly requester?: SealedPersonalData;
}

export type RegisterWorkload = Command<'RegisterWorkload', RegisterWorkloadData>;
export type PlanWorkload = Command<
  'PlanWorkload',
  { readonly workloadId: string; readonly releaseId: string }
>;
export type DeferWorkload = Command<
  'DeferWorkload',
  { readonly workloadId: string; readonly releaseId?: string; readonly reason: string }
>;
export type CompleteWorkload = Command<
  'CompleteWorkload',
  { readonly workloadId: string; readonly releaseId: string; readonly completedJobSize: number }
>;
/** The reason comes from `metadata.reason` and is required. */
export type WithdrawWorkload = Command<'WithdrawWorkload', { readonly workloadId: string }>;

export type WorkloadCommand =
  RegisterWorkload | PlanWorkload | DeferWorkload | CompleteWorkload | WithdrawWorkload;
