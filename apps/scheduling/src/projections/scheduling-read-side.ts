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
  SCHEDULING_READ_MODEL_ENTITIES,
  schedulingCalendarProjection,
  type CalendarProjectedEvent,
} from '@trainyard/scheduling-read-models';

/** How long a reader waits for its own process's writes to reach the read models before answering anyway. */
const READ_YOUR_WRITES_MS = 5_000;

/**
 * The read side's lifetime: a TypeORM DataSource over the service schema for queries, and the
 * shared projection runner folding `schedulingCalendarProjection` into the tables. Commands report what they
 * appended, so a later query in this process can wait until the projection has caught up with it
 * (read-your-writes within one instance: another instance's writes are not waited for).
 */
@Injectable()
export class SchedulingReadSide implements OnModuleInit, OnModuleDestroy {
  readonly dataSource: DataSource;
  readonly runner: ProjectionRunner<CalendarProjectedEvent>;
  readonly schema: string;
  /** The runner's own connections, so its batches never queue behind the commands' appends. */
  private readonly pool: Pool;
  private lastWrite?: Checkpoint;
  private readonly logger = new Logger('SchedulingReadSide');

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.schema = config.DATABASE_SCHEMA;
    this.dataSource = new DataSource({
      type: 'postgres',
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      entities: [...SCHEDULING_READ_MODEL_ENTITIES],
      synchronize: false,
      logging: false,
      applicationName: `trainyard-${config.service}-read-models`,
      extra: { max: 4, connectionTimeoutMillis: 5_000 },
    });
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: 2,
      connectionTimeoutMillis: 5_000,
      application_name: `trainyard-${config.service}-projection`,
    });
    this.pool.on('error', (error) =>
      this.logger.warn(`idle projection connection failed: ${error.message}`),
    );
    handleCheckedOutClientErrors(this.pool);
    this.runner = new ProjectionRunner({
      pool: this.pool,
      store,
      projection: schedulingCalendarProjection,
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

  /** Waits (bounded) until this process's last append is projected. */
  async catchUp(): Promise<void> {
    if (!this.lastWrite) return;
    if (!(await this.runner.waitFor(this.lastWrite, READ_YOUR_WRITES_MS))) {
      this.logger.warn(
        `read models are more than ${READ_YOUR_WRITES_MS} ms behind this instance's writes; answering from them anyway`,
      );
    }
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
