import type { planning } from '@trainyard/grpc-contracts';
import type { CapacityEstimate, Plan } from '@trainyard/planning-domain';
import { toProtoDeprecationFlag, toProtoEnum, toProtoVersionSkew } from './planning.grpc-mapping';

export const toProtoPlan = (plan: Plan, titles: ReadonlyMap<string, string>): planning.Plan => ({
  releaseId: plan.releaseId,
  trainId: plan.trainId,
  policyVersion: plan.policyVersion,
  entries: plan.entries.map((e) => ({
    workloadId: e.workloadId,
    title: titles.get(e.workloadId) ?? '',
    team: e.team,
    jobSize: e.jobSize,
    changeType: toProtoEnum('CHANGE_TYPE', e.changeType),
    decision: toProtoEnum('SCOPE_DECISION', e.decision),
    reason: e.reason,
    wsjf: e.wsjf,
    costOfDelay: e.costOfDelay,
    order: e.order,
  })),
  capacityUsed: plan.capacityUsed,
  capacityTotal: plan.capacityTotal,
  teams: plan.teams.map((t) => ({
    team: t.team,
    capacity: t.capacity,
    limit: t.limit,
    used: t.used,
  })),
  techDebt: {
    reserve: plan.techDebt.reserve,
    used: plan.techDebt.used,
    returnedToFeatures: plan.techDebt.returnedToFeatures,
  },
  alerts: plan.alerts.map((a) => {
    switch (a.type) {
      case 'ComplianceGuaranteeMissed':
        return {
          type: a.type,
          reason: a.reason,
          workloadId: a.workloadId,
          team: a.team,
          contract: '',
          included: [],
          deferred: [],
        };
      case 'ContractGroupSplit':
        return {
          type: a.type,
          reason: a.reason,
          workloadId: '',
          team: '',
          contract: a.contract,
          included: [...a.included],
          deferred: [...a.deferred],
        };
      case 'DeploymentOrderConflict':
        return {
          type: a.type,
          reason: a.reason,
          workloadId: '',
          team: '',
          contract: '',
          included: [],
          deferred: [],
        };
    }
  }),
  couplingFlags: plan.couplingFlags.map((c) => ({
    component: c.component,
    teams: [...c.teams],
    workloadIds: [...c.workloadIds],
    reason: c.reason,
  })),
  contractGroups: plan.contractGroups.map((g) => ({
    contract: g.contract,
    workloadIds: [...g.workloadIds],
    decoupledByFlag: [...g.decoupledByFlag],
  })),
  deploymentOrder: plan.deploymentOrder.map((d) => ({
    workloadId: d.workloadId,
    wave: d.wave,
    contract: d.contract ?? '',
  })),
  versionSkews: plan.versionSkews.map(toProtoVersionSkew),
  deprecationFlags: plan.deprecationFlags.map(toProtoDeprecationFlag),
});

export const toProtoCapacity = (estimate: CapacityEstimate): planning.CapacityEstimate => ({
  teams: estimate.teams.map((t) => ({
    team: t.team,
    capacity: t.capacity,
    basis: t.basis,
    samples: [...t.samples],
    explanation: t.explanation,
  })),
  total: estimate.total,
  releasesConsidered: [...estimate.releasesConsidered],
});
