import type { PlanningEvent, ProjectedEvent } from './projected-event';
import { isReleaseEvent, utc } from './projected-event';
import type { ReleaseRow } from './release-view.entity';

/** The release row an event changes. */
export const releaseKeyOf = (event: PlanningEvent): string | undefined =>
  isReleaseEvent(event) ? event.data.releaseId : undefined;

const without = (ids: readonly string[], id: string): readonly string[] =>
  ids.filter((x) => x !== id);

/** Pure fold of one release's events into its row; undefined until planned (or an emergency patch is scheduled). */
export const evolveReleaseRow = (
  row: ReleaseRow | undefined,
  projected: ProjectedEvent,
): ReleaseRow | undefined => {
  const { event, streamVersion: version } = projected;
  if (!isReleaseEvent(event)) return row;
  switch (event.type) {
    case 'ReleasePlanned':
      return {
        releaseId: event.data.releaseId,
        trainId: event.data.trainId,
        kind: 'train',
        status: 'planning',
        windowStart: utc(event.data.window.start),
        windowEnd: utc(event.data.window.end),
        capacityTotal: 0,
        capacityUsed: 0,
        deferredCount: 0,
        policyVersion: null,
        plannedBy: event.data.plannedBy,
        plannedAt: utc(event.data.plannedAt),
        committedBy: null,
        committedAt: null,
        closedAt: null,
        cancelReason: null,
        negotiatedInclude: [],
        negotiatedExclude: [],
        deploymentOrder: [],
        delivered: [],
        complianceAlerts: [],
        versionSkews: [],
        version,
      };
    case 'EmergencyPatchScheduled': {
      const d = event.data;
      const at = utc(d.scheduledAt);
      return {
        releaseId: d.releaseId,
        trainId: d.trackId,
        kind: 'emergency',
        status: 'scope-committed',
        windowStart: at,
        windowEnd: null,
        capacityTotal: d.jobSize,
        capacityUsed: d.jobSize,
        deferredCount: 0,
        policyVersion: d.policyVersion,
        plannedBy: d.requestedBy,
        plannedAt: at,
        committedBy: d.requestedBy,
        committedAt: at,
        closedAt: null,
        cancelReason: null,
        negotiatedInclude: [],
        negotiatedExclude: [],
        deploymentOrder: [{ workloadId: d.workloadId, wave: 1 }],
        delivered: [],
        complianceAlerts: [],
        versionSkews: [],
        version,
      };
    }
    default:
      break;
  }
  if (!row) return row;
  switch (event.type) {
    case 'ReleaseScopeNegotiated': {
      const { workloadId, change } = event.data;
      const include = without(row.negotiatedInclude, workloadId);
      const exclude = without(row.negotiatedExclude, workloadId);
      return {
        ...row,
        negotiatedInclude: change === 'include' ? [...include, workloadId] : include,
        negotiatedExclude: change === 'exclude' ? [...exclude, workloadId] : exclude,
        version,
      };
    }
    case 'ReleaseScopeCommitted': {
      const d = event.data;
      return {
        ...row,
        status: 'scope-committed',
        capacityTotal: d.capacityTotal,
        capacityUsed: d.capacityUsed,
        deferredCount: d.deferredCount,
        policyVersion: d.policyVersion,
        committedBy: d.committedBy,
        committedAt: utc(d.committedAt),
        deploymentOrder: d.deploymentOrder,
        versionSkews: d.versionSkews ?? [],
        version,
      };
    }
    case 'ComplianceGuaranteeMissed':
      return {
        ...row,
        complianceAlerts: [
          ...row.complianceAlerts,
          `${event.data.workloadId}: ${event.data.reason}`,
        ],
        version,
      };
    case 'ScopeExceptionGranted':
      return { ...row, version };
    case 'ReleaseWorkloadIncluded':
      return { ...row, capacityUsed: event.data.capacityUsed, version };
    case 'ReleaseWorkloadExcluded':
      return { ...row, capacityUsed: row.capacityUsed - event.data.jobSize, version };
    case 'ReleaseClosed':
      return {
        ...row,
        status: 'released',
        closedAt: utc(event.data.closedAt),
        delivered: event.data.teams,
        version,
      };
    case 'ReleaseCancelled':
      return { ...row, status: 'cancelled', cancelReason: event.data.reason, version };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
