// Builders for release-reactions.int.spec.ts.
import type { CommandContext } from '@trainyard/event-store';
import type { Plan, PlanEntry, RegisterWorkloadData } from '@trainyard/planning-domain';
import { SERVICE_PLANNING_POLICY as policy } from '../config/planning-policy';

export const FAST = {
  lockRetryMs: 50,
  lockKeepAliveMs: 200,
  pollIntervalMs: 50,
  backoff: { initialMs: 20, maxMs: 200 },
};

export const ctxAt = (now: string, reason?: string): CommandContext => ({
  actor: 'alice',
  correlationId: `corr-${now}`,
  now,
  ...(reason ? { reason } : {}),
});

export const registration = (workloadId: string): RegisterWorkloadData => ({
  workloadId,
  title: `Workload ${workloadId}`,
  team: 'payments',
  components: [{ name: 'checkout-service', kind: 'service' }],
  regulatedData: [],
  jobSize: 3,
  businessValue: 8,
  timeCriticality: 5,
  riskReduction: 3,
  dependsOn: [],
  schemaChange: false,
});

export const entry = (
  workloadId: string,
  decision: PlanEntry['decision'],
  order: number,
): PlanEntry => ({
  workloadId,
  team: 'payments',
  jobSize: 3,
  changeType: 'net-new-feature',
  decision,
  reason: decision === 'included' ? `${workloadId} fits` : `${workloadId} over capacity`,
  wsjf: 5,
  costOfDelay: 15,
  order,
});

export const planOf = (releaseId: string, entries: readonly PlanEntry[]): Plan => ({
  releaseId,
  trainId: 'main',
  policyVersion: policy.version,
  entries,
  capacityUsed: entries.filter((e) => e.decision === 'included').length * 3,
  capacityTotal: 40,
  teams: [],
  techDebt: { reserve: 0, used: 0, returnedToFeatures: 0 },
  alerts: [],
  couplingFlags: [],
  versionSkews: [],
  deprecationFlags: [],
  contractGroups: [],
  deploymentOrder: [],
});
