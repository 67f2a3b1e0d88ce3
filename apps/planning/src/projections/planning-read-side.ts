import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@trainyard/event-store';
import { EVENT_STORE, ReadSide, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { PLANNING_READ_MODEL_ENTITIES, planningProjection } from '@trainyard/planning-read-models';

/** Planning's read side (the platform's `ReadSide`: queries' DataSource, projection runners, read-your-writes). */
@Injectable()
export class PlanningReadSide extends ReadSide {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    super(store, config, {
      name: 'read-models',
      entities: [...PLANNING_READ_MODEL_ENTITIES],
      projections: [planningProjection],
    });
  }
}
