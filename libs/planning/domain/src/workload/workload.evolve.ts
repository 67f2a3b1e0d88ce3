import type { WorkloadEvent } from './workload.events';
import type { Workload, WorkloadProfile } from './workload.state';

export const evolveWorkload = (state: Workload, event: WorkloadEvent): Workload => {
  switch (event.type) {
    case 'WorkloadRegistered': {
      const d = event.data;
      const profile: WorkloadProfile = {
        workloadId: d.workloadId,
        title: d.title,
        team: d.team,
        components: d.components,
        regulatedData: d.regulatedData,
        jobSize: d.jobSize,
        businessValue: d.businessValue,
        timeCriticality: d.timeCriticality,
        riskReduction: d.riskReduction,
        changeType: d.classification.changeType,
        riskTier: d.riskTier,
        approvalPath: d.approvalPath,
        trackId: d.route.trackId,
        dependsOn: d.dependsOn,
        ...(d.apiContract ? { apiContract: d.apiContract } : {}),
        ...(d.consumedApis && d.consumedApis.length > 0 ? { consumedApis: d.consumedApis } : {}),
        schemaChange: d.schemaChange,
        // Optional since registrations before shared libraries were tracked have none.
        ...(d.libraries && d.libraries.length > 0 ? { libraries: d.libraries } : {}),
        ...(d.featureFlag !== undefined ? { featureFlag: d.featureFlag } : {}),
        ...(d.severity !== undefined ? { severity: d.severity } : {}),
        ...(d.linkedIncident !== undefined ? { linkedIncident: d.linkedIncident } : {}),
        registeredAt: d.registeredAt,
      };
      return { status: 'Backlog', profile, deferralCount: 0 };
    }
    case 'WorkloadPlanned':
      if (state.status === 'Unregistered') return state;
      return {
        status: 'Planned',
        profile: state.profile,
        deferralCount: state.deferralCount,
        releaseId: event.data.releaseId,
      };
    case 'WorkloadDeferred':
      if (state.status === 'Unregistered') return state;
      return {
        status: 'Backlog',
        profile: state.profile,
        deferralCount: event.data.deferralCount,
        ...(event.data.releaseId !== undefined ? { lastDeferredFrom: event.data.releaseId } : {}),
      };
    case 'WorkloadCompleted':
      if (state.status === 'Unregistered') return state;
      return {
        status: 'Completed',
        profile: state.profile,
        deferralCount: state.deferralCount,
        releaseId: event.data.releaseId,
        completedJobSize: event.data.completedJobSize,
      };
    case 'WorkloadWithdrawn':
      if (state.status === 'Unregistered') return state;
      return { status: 'Withdrawn', profile: state.profile, deferralCount: state.deferralCount };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
