import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@trainyard/event-store';
import { EVENT_STORE, ReadSide, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import {
  COMPLIANCE_READ_MODEL_ENTITIES,
  complianceProjection,
  reviewProjection,
} from '@trainyard/compliance-read-models';

/** Compliance's read side (the platform's `ReadSide`: queries' DataSource, projection runners, read-your-writes). */
@Injectable()
export class ComplianceReadSide extends ReadSide {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    super(store, config, {
      name: 'read-models',
      entities: [...COMPLIANCE_READ_MODEL_ENTITIES],
      projections: [complianceProjection, reviewProjection],
    });
  }
}
