import { costOfDelay, wsjfScore } from '@trainyard/planning-domain';
import type { PlanningEvent, ProjectedEvent } from './projected-event';
import { isWorkloadEvent, utc } from './projected-event';
import type { WorkloadRow } from './workload-view.entity';

/** The workload row an event changes. */
export const workloadKeyOf = (event: PlanningEvent): string | undefined =>
  isWorkloadEvent(event) ? event.data.workloadId : undefined;

/** Pure fold of one workload's events into its row; undefined until registered. */
export const evolveWorkloadRow = (
  row: WorkloadRow | undefined,
  projected: ProjectedEvent,
): WorkloadRow | undefined => {
  const { event, streamVersion } = projected;
  if (!isWorkloadEvent(event)) return row;
  if (event.type === 'WorkloadRegistered') {
    const d = event.data;
    return {
      workloadId: d.workloadId,
      title: d.title,
      team: d.team,
      state: 'backlog',
      trackId: d.route.trackId,
      trackKind: d.route.trackKind,
      changeType: d.classification.changeType,
      classificationRule: d.classification.ruleId,
      classificationExplanation: d.classification.explanation,
      riskTier: d.riskTier,
      approvalPath: d.approvalPath,
      riskReasons: d.riskReasons,
      jobSize: d.jobSize,
      businessValue: d.businessValue,
      timeCriticality: d.timeCriticality,
      riskReduction: d.riskReduction,
      costOfDelay: costOfDelay(d),
      wsjf: wsjfScore(d),
      dependsOn: d.dependsOn,
      components: d.components,
      regulatedData: d.regulatedData,
      schemaChange: d.schemaChange,
      apiContract: d.apiContract ?? null,
      libraries: d.libraries ?? [],
      consumedApis: d.consumedApis ?? [],
      featureFlag: d.featureFlag ?? null,
      severity: d.severity ?? null,
      linkedIncident: d.linkedIncident ?? null,
      policyVersion: d.policyVersion,
      registeredBy: d.registeredBy,
      registeredAt: utc(d.registeredAt),
      requester: d.requester ?? null,
      releaseId: null,
      deferralCount: 0,
      firstDeferredAt: null,
      lastDeferredAt: null,
      lastDeferralReason: null,
      completedJobSize: null,
      withdrawnReason: null,
      version: streamVersion,
    };
  }
  if (!row) return row;
  switch (event.type) {
    case 'WorkloadPlanned':
      return { ...row, state: 'planned', releaseId: event.data.releaseId, version: streamVersion };
    case 'WorkloadDeferred': {
      const at = utc(event.data.deferredAt);
      return {
        ...row,
        state: 'backlog',
        releaseId: null,
        deferralCount: event.data.deferralCount,
        firstDeferredAt: row.firstDeferredAt ?? at,
        lastDeferredAt: at,
        lastDeferralReason: event.data.reason,
        version: streamVersion,
      };
    }
    case 'WorkloadCompleted':
      return {
        ...row,
        state: 'completed',
        releaseId: event.data.releaseId,
        completedJobSize: event.data.completedJobSize,
        version: streamVersion,
      };
    case 'WorkloadWithdrawn':
      return {
        ...row,
        state: 'withdrawn',
        releaseId: null,
        withdrawnReason: event.data.reason,
        version: streamVersion,
      };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
