import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource, type EntitySchema } from 'typeorm';
import {
  compareCheckpoints,
  handleCheckedOutClientErrors,
  type Checkpoint,
  type EventStore,
} from '@trainyard/event-store';
import type { ProjectionDefinition } from '@trainyard/kernel';
import { ProjectionRunner } from '@trainyard/messaging';
import { nestMessagingLogger } from '../messaging/nest-messaging-logger';
import type { ServiceConfig } from '../config/service-config';

/** How long a reader waits for its own process's writes to reach the read models before answering anyway. */
const READ_YOUR_WRITES_MS = 5_000;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own entity type
type EntityTarget = Function | string | EntitySchema;

export interface ReadSideOptions {
  /** Names the logger and the connections (`trainyard-<service>-<name>`). */
  readonly name: string;
  /** The TypeORM entities the queries read (the read models' tables; `synchronize` stays off). */
  readonly entities: readonly EntityTarget[];
  /** Each folded by its own shared projection runner, with its own checkpoint. */
  readonly projections: readonly ProjectionDefinition<unknown>[];
}

/**
 * A service's read side, the one way every service has it: a TypeORM DataSource over the service
 * schema for queries, and the shared projection runners folding the service's projection
 * definitions into the tables on their own connections (so their batches never queue behind the
 * commands' appends). Commands report what they appended, so a later query in this process can wait
 * until every projection has caught up with it (read-your-writes within one instance: another
 * instance's writes are not waited for). A service subclasses it as an injectable provider:
 *
 *   @Injectable() export class PlanningReadSide extends ReadSide {
 *     constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(SERVICE_CONFIG) config: ServiceConfig) {
 *       super(store, config, { name: 'read-models', entities: [...], projections: [planningProjection] });
 *     }
 *   }
 */
export abstract class ReadSide implements OnModuleInit, OnModuleDestroy {
  readonly dataSource: DataSource;
  readonly schema: string;
  private readonly runners: readonly ProjectionRunner<unknown>[];
  private readonly pool: Pool;
  private lastWrite?: Checkpoint;
  private readonly logger: Logger;

  protected constructor(store: EventStore, config: ServiceConfig, options: ReadSideOptions) {
    this.logger = new Logger(`${config.service}:${options.name}`);
    this.schema = config.DATABASE_SCHEMA;
    this.dataSource = new DataSource({
      type: 'postgres',
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      entities: [...options.entities],
      synchronize: false,
      logging: false,
      applicationName: `trainyard-${config.service}-${options.name}`,
      extra: { max: 4, connectionTimeoutMillis: 5_000 },
    });
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: 2,
      connectionTimeoutMillis: 5_000,
      application_name: `trainyard-${config.service}-${options.name}-projection`,
    });
    this.pool.on('error', (error) =>
      this.logger.warn(`idle projection connection failed: ${error.message}`),
    );
    handleCheckedOutClientErrors(this.pool);
    const logger = nestMessagingLogger(this.logger);
    this.runners = options.projections.map(
      (projection) => new ProjectionRunner({ pool: this.pool, store, projection, logger }),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.dataSource.initialize();
    for (const runner of this.runners) await runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
    await this.pool.end();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  recordWrite(checkpoint: Checkpoint): void {
    if (!this.lastWrite || compareCheckpoints(checkpoint, this.lastWrite) > 0)
      this.lastWrite = checkpoint;
  }

  /** Waits (bounded) until this process's last append is projected by every runner. */
  async catchUp(): Promise<void> {
    const target = this.lastWrite;
    if (!target) return;
    const caughtUp = await Promise.all(
      this.runners.map((runner) => runner.waitFor(target, READ_YOUR_WRITES_MS)),
    );
    if (caughtUp.some((done) => !done)) {
      this.logger.warn(
        `read models are more than ${READ_YOUR_WRITES_MS} ms behind this instance's writes; answering from them anyway`,
      );
    }
  }
}
