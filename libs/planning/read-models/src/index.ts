export * from './projected-event';
export * from './workload-view.entity';
export * from './release-view.entity';
export * from './release-scope-item.entity';
export * from './api-version-view.entity';
export * from './api-version.projection';
export * from './workload.projection';
export * from './release.projection';
export * from './release-scope.projection';
export * from './portfolio-views';
export * from './read-models.migrations';
export * from './planning.projection';

import { ApiVersionView } from './api-version-view.entity';
import { ReleaseScopeItemView } from './release-scope-item.entity';
import { ReleaseView } from './release-view.entity';
import { WorkloadView } from './workload-view.entity';

/** Every read-model entity, for a TypeORM DataSource. */
export const PLANNING_READ_MODEL_ENTITIES = [
  WorkloadView,
  ReleaseView,
  ReleaseScopeItemView,
  ApiVersionView,
] as const;
