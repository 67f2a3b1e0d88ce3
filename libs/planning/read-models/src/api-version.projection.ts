import { apiVersionStreamKey, type ApiVersionLifecycle } from '@trainyard/planning-domain';
import type { ApiVersionRow } from './api-version-view.entity';
import { isApiVersionEvent, utc, type PlanningEvent, type ProjectedEvent } from './projected-event';

export const apiVersionKeyOf = (event: PlanningEvent): string | undefined =>
  isApiVersionEvent(event) ? apiVersionStreamKey(event.data.api, event.data.version) : undefined;

/** Pure fold of one API version's events into its row; undefined while it is not deprecated. */
export const evolveApiVersionRow = (
  row: ApiVersionRow | undefined,
  projected: ProjectedEvent,
): ApiVersionRow | undefined => {
  const { event, streamVersion } = projected;
  if (!isApiVersionEvent(event)) return row;
  const d = event.data;
  return {
    api: d.api,
    version: d.version,
    deprecatedAt: utc(d.deprecatedAt),
    sunsetAt: d.sunsetAt !== undefined ? utc(d.sunsetAt) : null,
    reason: d.reason,
    deprecatedBy: d.deprecatedBy,
    recordedAt: utc(d.recordedAt),
    streamVersion,
  };
};

/** The domain's view of a row, for deprecation checks and flags. */
export const lifecycleOf = (row: ApiVersionRow): ApiVersionLifecycle => ({
  api: row.api,
  version: row.version,
  deprecatedAt: row.deprecatedAt,
  ...(row.sunsetAt !== null ? { sunsetAt: row.sunsetAt } : {}),
});
