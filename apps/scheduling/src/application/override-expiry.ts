import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { EventStore } from '@trainyard/event-store';
import type { Clock } from '@trainyard/kernel';
import { CLOCK, EVENT_STORE } from '@trainyard/platform';
import type { OverridePolicy } from '@trainyard/scheduling-domain';
import { OVERRIDE_POLICY, OVERRIDE_SWEEP_INTERVAL_MS } from '../config/override-policy';
import { OverrideReadSide } from '../projections/override-read-side';
import { OverrideExpirySweeper } from './override-expiry.sweeper';
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
    readSide: OverrideReadSide,
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
    });
  }

  onModuleInit(): void {
    this.sweeper.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.sweeper.stop();
  }
}
