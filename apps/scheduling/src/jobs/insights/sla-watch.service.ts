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
import { SchedulingReadSide } from '../../projections/scheduling-read-side';
import { JobInsightQueries } from './job-insight.queries';
import { JOB_INSIGHTS_CONFIG, type JobInsightsConfig } from './job-insights.config';
import { SlaWatch } from './sla-watch';

/** The SLA watch's lifetime in the service: started with the module, stopped with it. */
@Injectable()
export class SlaWatchService implements OnModuleInit, OnModuleDestroy {
  readonly watch: SlaWatch;
  private readonly logger = new Logger('SlaWatch');

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(JOB_INSIGHTS_CONFIG) config: JobInsightsConfig,
    queries: JobInsightQueries,
    readSide: SchedulingReadSide,
  ) {
    this.watch = new SlaWatch({
      store,
      clock,
      intervalMs: config.slaWatchIntervalMs,
      candidates: () => queries.slaCandidates(),
      p50s: (jobs) => queries.taskP50s(jobs),
      onAppended: (result) =>
        readSide.recordWrite({
          transactionId: result.transactionId,
          position: result.lastPosition,
        }),
      warn: (message) => this.logger.warn(message),
    });
  }

  onModuleInit(): void {
    this.watch.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.watch.stop();
  }
}
