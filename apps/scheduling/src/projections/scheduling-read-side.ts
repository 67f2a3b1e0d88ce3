import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@trainyard/event-store';
import { EVENT_STORE, ReadSide, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import {
  DEPLOYMENT_PLAN_READ_MODEL_ENTITIES,
  JOB_POOL_READ_MODEL_ENTITIES,
  jobPoolsProjection,
  JOB_DEFINITION_ENTITIES,
  SCHEDULING_OVERRIDE_ENTITIES,
  SCHEDULING_READ_MODEL_ENTITIES,
  schedulingCalendarProjection,
  schedulingOverridesProjection,
  deploymentPlanProjection,
  JOB_INSIGHT_ENTITIES,
  jobInsightsProjection,
  jobDefinitionsProjection,
} from '@trainyard/scheduling-read-models';

/** Scheduling's read side: the calendar, the freeze overrides and the deployment plans (the platform's `ReadSide`: queries' DataSource, projection runners, read-your-writes). */
@Injectable()
export class SchedulingReadSide extends ReadSide {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    super(store, config, {
      name: 'read-models',
      entities: [
        ...SCHEDULING_READ_MODEL_ENTITIES,
        ...SCHEDULING_OVERRIDE_ENTITIES,
        ...DEPLOYMENT_PLAN_READ_MODEL_ENTITIES,
        ...JOB_INSIGHT_ENTITIES,
        ...JOB_POOL_READ_MODEL_ENTITIES,
        ...JOB_DEFINITION_ENTITIES,
      ],
      projections: [
        schedulingCalendarProjection,
        schedulingOverridesProjection,
        deploymentPlanProjection,
        jobInsightsProjection,
        jobPoolsProjection,
        jobDefinitionsProjection,
      ],
    });
  }
}
