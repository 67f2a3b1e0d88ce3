import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Pool } from 'pg';
import {
  compareCheckpoints,
  handleCheckedOutClientErrors,
  type Checkpoint,
  type EventStore,
} from '@trainyard/event-store';
import { ProjectionRunner } from '@trainyard/messaging';
import { EVENT_STORE, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { reviewProjection, type ProjectedReviewEvent } from '@trainyard/compliance-read-models';

const READ_YOUR_WRITES_MS = 5_000;

/**
 * Folds `reviewProjection` (its own projection and checkpoint, beside the policies one) into
 * `compliance_reviews`; queries read through ComplianceReadSide's DataSource, which maps ReviewView.
 */
@Injectable()
export class ReviewReadSide implements OnModuleInit, OnModuleDestroy {
  readonly runner: ProjectionRunner<ProjectedReviewEvent>;
  private readonly pool: Pool;
  private lastWrite?: Checkpoint;
  private readonly logger = new Logger('ReviewReadSide');

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: 1,
      connectionTimeoutMillis: 5_000,
      application_name: `trainyard-${config.service}-review-projection`,
    });
    this.pool.on('error', (error) =>
      this.logger.warn(`idle projection connection failed: ${error.message}`),
    );
    handleCheckedOutClientErrors(this.pool);
    const line = (c: Record<string, unknown>, m: string) => `${m} ${JSON.stringify(c)}`;
    this.runner = new ProjectionRunner({
      pool: this.pool,
      store,
      projection: reviewProjection,
      logger: {
        error: (c, m) => this.logger.error(line(c, m)),
        warn: (c, m) => this.logger.warn(line(c, m)),
        info: (c, m) => this.logger.log(line(c, m)),
        debug: (c, m) => this.logger.debug(line(c, m)),
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
    await this.pool.end();
  }

  recordWrite(checkpoint: Checkpoint): void {
    if (!this.lastWrite || compareCheckpoints(checkpoint, this.lastWrite) > 0)
      this.lastWrite = checkpoint;
  }

  async catchUp(): Promise<void> {
    if (!this.lastWrite) return;
    if (!(await this.runner.waitFor(this.lastWrite, READ_YOUR_WRITES_MS)))
      this.logger.warn('review read model is behind this instance; answering from it anyway');
  }
}
