import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import {
  compareCheckpoints,
  handleCheckedOutClientErrors,
  type Checkpoint,
  type EventStore,
} from '@trainyard/event-store';
import { ProjectionRunner, type MessagingLogger } from '@trainyard/messaging';
import { EVENT_STORE, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import {
  DEPLOYMENT_PLAN_READ_MODEL_ENTITIES,
  deploymentPlanProjection,
  type ProjectedDeploymentEvent,
} from '@trainyard/scheduling-read-models';

const READ_YOUR_WRITES_MS = 5_000;

/**
 * The deployment calendar's read side: its own projection runner (`scheduling.deployments.v1`)
 * and DataSource, beside the calendar's, so each read model replays and rebuilds on its own.
 * Commands report what they appended; a later query in this process waits for it (bounded).
 */
@Injectable()
export class DeploymentsReadSide implements OnModuleInit, OnModuleDestroy {
  readonly dataSource: DataSource;
  readonly runner: ProjectionRunner<ProjectedDeploymentEvent>;
  private readonly pool: Pool;
  private lastWrite?: Checkpoint;
  private readonly logger = new Logger('DeploymentsReadSide');

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.dataSource = new DataSource({
      type: 'postgres',
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      entities: [...DEPLOYMENT_PLAN_READ_MODEL_ENTITIES],
      synchronize: false,
      logging: false,
      applicationName: `trainyard-${config.service}-deployments`,
      extra: { max: 3, connectionTimeoutMillis: 5_000 },
    });
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: 2,
      connectionTimeoutMillis: 5_000,
      application_name: `trainyard-${config.service}-deployments-projection`,
    });
    this.pool.on('error', (error) =>
      this.logger.warn(`idle projection connection failed: ${error.message}`),
    );
    handleCheckedOutClientErrors(this.pool);
    this.runner = new ProjectionRunner({
      pool: this.pool,
      store,
      projection: deploymentPlanProjection,
      logger: nestLogger(this.logger),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.dataSource.initialize();
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
    await this.pool.end();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  recordWrite(checkpoint: Checkpoint): void {
    if (!this.lastWrite || compareCheckpoints(checkpoint, this.lastWrite) > 0)
      this.lastWrite = checkpoint;
  }

  async catchUp(): Promise<void> {
    if (!this.lastWrite) return;
    if (!(await this.runner.waitFor(this.lastWrite, READ_YOUR_WRITES_MS)))
      this.logger.warn(
        `the deployment calendar is more than ${READ_YOUR_WRITES_MS} ms behind this instance's writes; answering from it anyway`,
      );
  }
}

const nestLogger = (logger: Logger): MessagingLogger => {
  const line = (context: Record<string, unknown>, message: string) =>
    `${message} ${JSON.stringify(context)}`;
  return {
    error: (context, message) => logger.error(line(context, message)),
    warn: (context, message) => logger.warn(line(context, message)),
    info: (context, message) => logger.log(line(context, message)),
    debug: (context, message) => logger.debug(line(context, message)),
  };
};
