// Scheduling read models: entities, pure folds and migrations.
import { CalendarEntryView } from './calendar-entry-view.entity';
import { ComponentView } from './component-view.entity';
import { DeploymentPlanView as PlanEntity } from './deployment-plan-view.entity';
import { DeploymentView as DeploymentEntity } from './deployment-view.entity';

export { SCHEDULING_READ_MODEL_MIGRATIONS } from './read-models.migrations';
export * from './calendar-entry-view.entity';
export * from './component-view.entity';
export * from './calendar.projection';

/** Every read-model entity, for a TypeORM DataSource. */
export const SCHEDULING_READ_MODEL_ENTITIES = [CalendarEntryView, ComponentView] as const;
export {
  DeploymentView,
  type DeploymentRow,
  type DeploymentProgress,
} from './deployment-view.entity';
export { DeploymentPlanView, type DeploymentPlanRow } from './deployment-plan-view.entity';
export {
  DEPLOYMENT_PLAN_PROJECTION,
  deploymentPlanProjection,
  evolveDeploymentPlanRow,
  evolveDeployments,
  type ProjectedDeploymentEvent,
} from './deployment-plan.projection';
/** The deployment-plan read model's entities, for a DataSource. */
export const DEPLOYMENT_PLAN_READ_MODEL_ENTITIES = [DeploymentEntity, PlanEntity] as const;
// Freeze overrides and their review items (issue 11 item 3).
export * from './freeze-override-view.entity';
export * from './override-review-view.entity';
export * from './override.projection';
// Job insights (issue 12 items 5 and 7): runs, tasks, SLA facts, jobs and their versions.
export * from './job-insights-view.entity';
export * from './job-insights.projection';
// Pools and team weights (issue 12, item 4): administered pools, fair-share weights.
export * from './job-pool-view.entity';
export * from './job-pools.projection';
import { JobPoolView, TeamWeightView } from './job-pool-view.entity';
/** The pool read model's entities, for a DataSource. */
export const JOB_POOL_READ_MODEL_ENTITIES = [JobPoolView, TeamWeightView] as const;
// Job definitions (issue 12 items 1 and 7): running manifests, versions, deprecations.
export * from './job-definition-view.entity';
export * from './job-definition.projection';
