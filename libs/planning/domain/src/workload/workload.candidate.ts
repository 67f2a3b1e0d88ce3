import type { AllocationCandidate } from '../allocation/allocation.types';
import type { WorkloadProfile } from './workload.state';

/** What allocation needs from a registered workload. */
export const toAllocationCandidate = (profile: WorkloadProfile): AllocationCandidate => ({
  workloadId: profile.workloadId,
  team: profile.team,
  jobSize: profile.jobSize,
  businessValue: profile.businessValue,
  timeCriticality: profile.timeCriticality,
  riskReduction: profile.riskReduction,
  changeType: profile.changeType,
  registeredAt: profile.registeredAt,
  dependsOn: profile.dependsOn,
  components: profile.components,
  schemaChange: profile.schemaChange,
  ...(profile.apiContract ? { apiContract: profile.apiContract } : {}),
  ...(profile.libraries ? { libraries: profile.libraries } : {}),
  ...(profile.consumedApis ? { consumedApis: profile.consumedApis } : {}),
  ...(profile.featureFlag !== undefined ? { featureFlag: profile.featureFlag } : {}),
});
