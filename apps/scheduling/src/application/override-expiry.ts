import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { EventStore } from '@trainyard/event-store';
import type { Clock } from '@trainyard/kernel';
import { CLOCK, EVENT_STORE } from '@trainyard/platform';
import type { OverridePolicy } from '@trainyard/scheduling-domain';
import { OVERRIDE_POLICY, OVERRIDE_SWEEP_INTERVAL_MS } from '../config/override-policy';
import { SchedulingReadSide } from '../projections/scheduling-read-side';
import { randomUUID } from 'node:crypto';
import { DeploymentPlanUseCases } from './deployment-plan.use-cases';
import { OVERRIDE_SWEEPER_ACTOR, OverrideExpirySweeper } from './override-expiry.sweeper';
import { OverrideQueries } from './override.queries';

/** The expiry sweeper's lifetime in the service: started with the module, stopped with it. */
@Injectable()
export class OverrideExpiry implements OnModuleInit, OnModuleDestroy {
  readonly sweeper: OverrideExpirySweeper;
  private readonly logger = new Logger('OverrideExpiry');

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(OVERRIDE_POLICY) policy: OverridePolicy,
    @Inject(OVERRIDE_SWEEP_INTERVAL_MS) intervalMs: number,
    queries: OverrideQueries,
    readSide: SchedulingReadSide,
    @Optional() deploymentPlans?: DeploymentPlanUseCases,
  ) {
    this.sweeper = new OverrideExpirySweeper({
      store,
      clock,
      policy,
      intervalMs,
      candidates: (now) => queries.pastTheirEnd(now),
      onAppended: (result) =>
        readSide.recordWrite({
          transactionId: result.transactionId,
          position: result.lastPosition,
        }),
      warn: (message) => this.logger.warn(message),
      // Issue 11 item 4: an expired override re-places what its freeze blocks again.
      onExpired: async (overrideId, now) => {
        await deploymentPlans?.rescheduleAffected(
          { kind: 'override-expired', id: overrideId },
          { actor: OVERRIDE_SWEEPER_ACTOR, correlationId: randomUUID(), now },
        );
      },
    });
  }

  onModuleInit(): void {
    this.sweeper.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.sweeper.stop();
  }
}
