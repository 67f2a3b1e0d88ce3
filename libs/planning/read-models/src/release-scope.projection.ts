import type { PlanningEvent, ProjectedEvent } from './projected-event';
import { isReleaseEvent } from './projected-event';
import type { ScopeItemRow } from './release-scope-item.entity';

/** The release whose scope items an event changes: release events and workload events naming a release. */
export const releaseScopeKeyOf = (event: PlanningEvent): string | undefined => {
  if (isReleaseEvent(event)) return event.data.releaseId;
  switch (event.type) {
    case 'WorkloadPlanned':
      return event.data.releaseId;
    case 'WorkloadDeferred':
      return event.data.releaseId;
    default:
      return undefined;
  }
};

type Items = readonly ScopeItemRow[];

const upsert = (
  items: Items,
  releaseId: string,
  workloadId: string,
  change: (current: ScopeItemRow | undefined) => ScopeItemRow | undefined,
): Items => {
  const index = items.findIndex((i) => i.workloadId === workloadId);
  const next = change(index >= 0 ? items[index] : undefined);
  if (!next) return items;
  if (next.releaseId !== releaseId || next.workloadId !== workloadId)
    throw new Error('scope item key changed');
  return index >= 0 ? items.map((item, i) => (i === index ? next : item)) : [...items, next];
};

const blank = (releaseId: string, workloadId: string, team: string): ScopeItemRow => ({
  releaseId,
  workloadId,
  team,
  jobSize: null,
  changeType: null,
  decision: 'included',
  unplanned: false,
  reason: '',
  order: null,
  approver: null,
  completedJobSize: null,
});

/**
 * Pure fold of the events that concern one release's scope into its items: the allocation's
 * decision and reason per workload (included ones from WorkloadPlanned's stated reason, deferred
 * ones from WorkloadDeferred), exceptions with their approver, emergency patches, delivered sizes.
 */
export const evolveReleaseScope = (items: Items, projected: ProjectedEvent): Items => {
  const { event } = projected;
  switch (event.type) {
    case 'ReleaseScopeCommitted': {
      let next = items;
      for (const w of event.data.workloads) {
        next = upsert(next, event.data.releaseId, w.workloadId, (current) => ({
          ...(current ?? blank(event.data.releaseId, w.workloadId, w.team)),
          team: w.team,
          jobSize: w.jobSize,
          changeType: w.changeType,
          decision: 'included',
          order: w.order,
        }));
      }
      return next;
    }
    case 'EmergencyPatchScheduled': {
      const d = event.data;
      return upsert(items, d.releaseId, d.workloadId, (current) => ({
        ...(current ?? blank(d.releaseId, d.workloadId, d.team)),
        jobSize: d.jobSize,
        changeType: 'emergency-patch',
        decision: 'included',
        unplanned: true,
        order: 1,
        approver: d.approver ?? null,
        reason: `emergency patch: severity ${d.severity}${d.linkedIncident ? `, incident ${d.linkedIncident}` : ''}${
          d.approver ? `, approved by ${d.approver}` : ''
        }`,
      }));
    }
    case 'ScopeExceptionGranted': {
      const d = event.data;
      return upsert(items, d.releaseId, d.workloadId, (current) =>
        current || d.change === 'include'
          ? {
              ...(current ?? blank(d.releaseId, d.workloadId, '')),
              approver: d.approver,
              reason: `scope exception (${d.change}) approved by ${d.approver}: ${d.reason}`,
            }
          : undefined,
      );
    }
    case 'ReleaseWorkloadIncluded': {
      const d = event.data;
      return upsert(items, d.releaseId, d.workloadId, (current) => ({
        ...(current ?? blank(d.releaseId, d.workloadId, d.team)),
        team: d.team,
        jobSize: d.jobSize,
        decision: 'included',
        unplanned: true,
      }));
    }
    case 'ReleaseWorkloadExcluded': {
      const d = event.data;
      return upsert(items, d.releaseId, d.workloadId, (current) => ({
        ...(current ?? blank(d.releaseId, d.workloadId, d.team)),
        decision: 'excluded',
      }));
    }
    case 'ReleaseClosed': {
      let next = items;
      for (const c of event.data.completed) {
        next = upsert(next, event.data.releaseId, c.workloadId, (current) =>
          current ? { ...current, completedJobSize: c.jobSize } : undefined,
        );
      }
      return next;
    }
    case 'WorkloadPlanned': {
      const d = event.data;
      return upsert(items, d.releaseId, d.workloadId, (current) => ({
        ...(current ?? blank(d.releaseId, d.workloadId, d.team)),
        decision: current?.decision === 'excluded' ? 'excluded' : 'included',
        reason: current?.reason || projected.reason || 'planned into the release',
      }));
    }
    case 'WorkloadDeferred': {
      const d = event.data;
      if (d.releaseId === undefined) return items;
      const releaseId = d.releaseId;
      // Only the allocation's own deferrals are scope decisions; a deferral after close, cancel or
      // exclusion is the workload returning to the backlog, already recorded by the release.
      return upsert(items, releaseId, d.workloadId, (current) =>
        current && current.decision !== 'deferred'
          ? undefined
          : {
              ...(current ?? blank(releaseId, d.workloadId, d.team)),
              decision: 'deferred',
              reason: d.reason,
            },
      );
    }
    default:
      return items;
  }
};
