import type { ReleaseEvent } from './release.events';
import type { Release } from './release.state';

const without = (ids: readonly string[], id: string): readonly string[] =>
  ids.filter((x) => x !== id);

export const evolveRelease = (state: Release, event: ReleaseEvent): Release => {
  switch (event.type) {
    case 'ReleasePlanned':
      return {
        status: 'Planning',
        releaseId: event.data.releaseId,
        trainId: event.data.trainId,
        window: event.data.window,
        negotiated: { include: [], exclude: [] },
      };
    case 'ReleaseScopeNegotiated': {
      if (state.status !== 'Planning') return state;
      const { workloadId, change } = event.data;
      const include = without(state.negotiated.include, workloadId);
      const exclude = without(state.negotiated.exclude, workloadId);
      return {
        ...state,
        negotiated:
          change === 'include'
            ? { include: [...include, workloadId], exclude }
            : { include, exclude: [...exclude, workloadId] },
      };
    }
    case 'ReleaseScopeCommitted':
      if (state.status !== 'Planning') return state;
      return {
        status: 'ScopeCommitted',
        releaseId: state.releaseId,
        trainId: state.trainId,
        kind: 'train',
        scope: event.data.workloads.map((w) => ({
          workloadId: w.workloadId,
          team: w.team,
          jobSize: w.jobSize,
          unplanned: false,
        })),
        capacityTotal: event.data.capacityTotal,
      };
    case 'EmergencyPatchScheduled':
      return {
        status: 'ScopeCommitted',
        releaseId: event.data.releaseId,
        trainId: event.data.trackId,
        kind: 'emergency',
        scope: [
          {
            workloadId: event.data.workloadId,
            team: event.data.team,
            jobSize: event.data.jobSize,
            unplanned: true,
          },
        ],
        capacityTotal: event.data.jobSize,
      };
    case 'ReleaseWorkloadIncluded':
      if (state.status !== 'ScopeCommitted') return state;
      return {
        ...state,
        scope: [
          ...state.scope,
          {
            workloadId: event.data.workloadId,
            team: event.data.team,
            jobSize: event.data.jobSize,
            unplanned: true,
          },
        ],
      };
    case 'ReleaseWorkloadExcluded':
      if (state.status !== 'ScopeCommitted') return state;
      return { ...state, scope: state.scope.filter((s) => s.workloadId !== event.data.workloadId) };
    case 'ReleaseClosed':
      if (state.status !== 'ScopeCommitted') return state;
      return {
        status: 'Released',
        releaseId: state.releaseId,
        trainId: state.trainId,
        kind: state.kind,
        closedAt: event.data.closedAt,
      };
    case 'ReleaseCancelled':
      if (state.status === 'Unplanned') return state;
      return { status: 'Cancelled', releaseId: state.releaseId, trainId: state.trainId };
    case 'ComplianceGuaranteeMissed':
    case 'ScopeExceptionGranted':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
