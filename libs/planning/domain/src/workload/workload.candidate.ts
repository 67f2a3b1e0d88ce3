import type { AllocationCandidate } from '../allocation/allocation.types';
import type { WorkloadProfile } from './workload.state';

/**
 * A workload's profile as it is kept: the domain state, or a read-model row (where what is absent
 * is `null` or an empty list).
 */
export type CandidateSource = Pick<
  WorkloadProfile,
  | 'workloadId'
  | 'team'
  | 'jobSize'
  | 'businessValue'
  | 'timeCriticality'
  | 'riskReduction'
  | 'changeType'
  | 'registeredAt'
  | 'dependsOn'
  | 'components'
  | 'schemaChange'
> & {
  readonly apiContract?: WorkloadProfile['apiContract'] | null;
  readonly libraries?: WorkloadProfile['libraries'] | null;
  readonly consumedApis?: WorkloadProfile['consumedApis'] | null;
  readonly featureFlag?: string | null;
};

/**
 * What allocation needs from a registered workload: the one mapper, for the service (from its
 * read model) and the specs alike. An empty list or flag is the same as none.
 */
export const toAllocationCandidate = (workload: CandidateSource): AllocationCandidate => ({
  workloadId: workload.workloadId,
  team: workload.team,
  jobSize: workload.jobSize,
  businessValue: workload.businessValue,
  timeCriticality: workload.timeCriticality,
  riskReduction: workload.riskReduction,
  changeType: workload.changeType,
  registeredAt: workload.registeredAt,
  dependsOn: workload.dependsOn,
  components: workload.components,
  schemaChange: workload.schemaChange,
  ...(workload.apiContract ? { apiContract: workload.apiContract } : {}),
  ...(workload.featureFlag ? { featureFlag: workload.featureFlag } : {}),
  ...(workload.libraries && workload.libraries.length > 0 ? { libraries: workload.libraries } : {}),
  ...(workload.consumedApis && workload.consumedApis.length > 0
    ? { consumedApis: workload.consumedApis }
    : {}),
});
