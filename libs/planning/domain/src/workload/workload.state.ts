import type { ChangeType, RegulatedDataClass, RiskTier } from '../policy/planning-policy';
import type { ApiContract, Component, SharedLibrary } from '../policy/workload-facts';

/** What registration established; never changes afterwards. */
export interface WorkloadProfile {
  readonly workloadId: string;
  readonly title: string;
  readonly team: string;
  readonly components: readonly Component[];
  readonly regulatedData: readonly RegulatedDataClass[];
  readonly jobSize: number;
  readonly businessValue: number;
  readonly timeCriticality: number;
  readonly riskReduction: number;
  readonly changeType: ChangeType;
  readonly riskTier: RiskTier;
  readonly approvalPath: string;
  readonly trackId: string;
  readonly dependsOn: readonly string[];
  readonly apiContract?: ApiContract;
  readonly consumedApis?: readonly ApiContract[];
  readonly schemaChange: boolean;
  readonly libraries?: readonly SharedLibrary[];
  readonly featureFlag?: string;
  readonly severity?: number;
  readonly linkedIncident?: string;
  readonly registeredAt: string;
}

interface Tracked {
  readonly profile: WorkloadProfile;
  readonly deferralCount: number;
  /** The release the last deferral came from, so a retried deferral is not counted twice. */
  readonly lastDeferredFrom?: string;
}

export type Workload =
  | { readonly status: 'Unregistered' }
  | (Tracked & { readonly status: 'Backlog' })
  | (Tracked & { readonly status: 'Planned'; readonly releaseId: string })
  | (Tracked & {
      readonly status: 'Completed';
      readonly releaseId: string;
      readonly completedJobSize: number;
    })
  | (Tracked & { readonly status: 'Withdrawn' });

export const initialWorkload = (): Workload => ({ status: 'Unregistered' });
