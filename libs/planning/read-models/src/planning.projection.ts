import {
  rowView,
  rowsView,
  type ProjectionDefinition,
  type ProjectionSource,
} from '@trainyard/kernel';
import type { ApiVersionRow } from './api-version-view.entity';
import { evolveApiVersionRow } from './api-version.projection';
import {
  PLANNING_EVENT_TYPES,
  isApiVersionEvent,
  type PlanningEvent,
  type ProjectedEvent,
} from './projected-event';
import type { ReleaseScopeItemView, ScopeItemRow } from './release-scope-item.entity';
import { evolveReleaseScope, releaseScopeKeyOf } from './release-scope.projection';
import type { ReleaseRow } from './release-view.entity';
import { evolveReleaseRow, releaseKeyOf } from './release.projection';
import type { WorkloadRow } from './workload-view.entity';
import { evolveWorkloadRow, workloadKeyOf } from './workload.projection';

/** The checkpoint's name (kept from the first runner, so running services resume where they were). */
export const PLANNING_PROJECTION = 'planning.read-models.v1';

/** A stored planning event as the folds see it. */
export const toProjectedEvent = (stored: ProjectionSource): ProjectedEvent => ({
  event: { type: stored.type, data: stored.data } as PlanningEvent,
  streamVersion: stored.streamVersion,
  actor: stored.metadata.actor,
  ...(stored.metadata.reason !== undefined ? { reason: stored.metadata.reason } : {}),
});

/**
 * Planning's read model: which fold feeds which table, with which key. The service's runner, the
 * rebuild command and the specs' in-memory oracle (`projectEvents`) all use this one definition.
 * Workload, release and API-version rows carry their stream's version, so an event replayed over
 * newer rows is skipped in every table (see `versionOf` in @trainyard/kernel).
 */
export const planningProjection: ProjectionDefinition<ProjectedEvent> = {
  name: PLANNING_PROJECTION,
  eventTypes: PLANNING_EVENT_TYPES,
  toEvent: toProjectedEvent,
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<ProjectedEvent, WorkloadRow>({
      table: 'workloads',
      keyOf: (p) => workloadKeyOf(p.event),
      fold: evolveWorkloadRow,
      versionOf: (row) => row.version,
    }),
    rowView<ProjectedEvent, ReleaseRow>({
      table: 'releases',
      keyOf: (p) => releaseKeyOf(p.event),
      fold: evolveReleaseRow,
      versionOf: (row) => row.version,
    }),
    rowsView<ProjectedEvent, ScopeItemRow>({
      table: 'release_scope_items',
      groupBy: ['release_id'],
      columns: { order: 'plan_order' } satisfies Partial<
        Record<keyof ReleaseScopeItemView, string>
      >,
      keyOf: (p) => releaseScopeKeyOf(p.event),
      fold: evolveReleaseScope,
    }),
    rowView<ProjectedEvent, ApiVersionRow>({
      table: 'api_versions',
      keyOf: ({ event }) =>
        isApiVersionEvent(event) ? [event.data.api, event.data.version] : undefined,
      fold: evolveApiVersionRow,
      versionOf: (row) => row.streamVersion,
    }),
  ],
};
