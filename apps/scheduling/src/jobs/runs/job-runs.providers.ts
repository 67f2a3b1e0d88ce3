import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type Provider,
  type Type,
} from '@nestjs/common';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { AdmissionControl, PgRunQueueStats } from '../capacity/admission-control';
import { BackpressureProbe } from '../capacity/backpressure.probe';
import { PgPoolSlots } from '../capacity/pg-pool-slots';
import { PoolQueries } from '../capacity/pool.queries';
import { RefreshingFairSharePolicy } from '../capacity/refreshing-fair-share.policy';
import { JOB_CATALOG } from '../definitions/job-catalog';
import { TaskExecutors } from '../executors/task-executors';
import { CalendarRunGate } from '../insights/calendar-run-gate';
import type { JobCatalogPort } from '../runtime-ports';
import { JobRunQueries } from '../runtime/job-run.queries';
import { RUN_ADMISSION, JobRunUseCases } from './job-run.use-cases';
import { JobRunsGrpcController } from './job-runs.grpc-controller';
import { JobRunsHttpController } from './job-runs.http-controller';
import { JOB_RUNTIME_PORTS, JobRuntimeHost, type JobRuntimePorts } from './job-runtime.host';
import type { SchedulingConfig } from '../../config/scheduling-settings';

/**
 * The capacity pieces the runtime is given that live as long as the service: the fair-share
 * policy's background refresh (team weights, month-end reservations, free slots) and the Kafka
 * admin the backpressure probe asks for consumer-group lag.
 */
@Injectable()
export class JobRuntimeCapacity implements OnApplicationBootstrap, OnModuleDestroy {
  readonly policy: RefreshingFairSharePolicy;
  readonly backpressure: BackpressureProbe;
  private readonly admin: Admin;
  private readonly logger = new Logger('JobRuntimeCapacity');

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    queries: PoolQueries,
    slots: PgPoolSlots,
  ) {
    this.policy = new RefreshingFairSharePolicy(queries, slots);
    this.admin = new Kafka({
      clientId: `${config.KAFKA_CLIENT_ID}-backpressure`,
      brokers: config.KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
    }).admin();
    this.backpressure = new BackpressureProbe({ admin: this.admin });
  }

  /** Once the read side is up (the pool queries read its entities). */
  onApplicationBootstrap(): void {
    this.policy.start(2_000, (error) =>
      this.logger.warn(
        `fair-share refresh: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.policy.stop();
    await this.admin.disconnect().catch(() => undefined);
  }
}

/**
 * Job runs (issue 12 items 3–6) in the scheduling module: the runtime with the real ports —
 * jobs-api's catalogue (running manifests from the job-definition read model), jobs-exec's
 * executors, jobs-capacity's pool slots, fair share, backpressure and admission control,
 * jobs-time's calendar gate — and JobRunService / /api/scheduling/runs.
 */
export const JOB_RUN_CONTROLLERS: Type[] = [JobRunsGrpcController, JobRunsHttpController];

export const JOB_RUN_PROVIDERS: Provider[] = [
  JobRuntimeCapacity,
  {
    provide: JOB_RUNTIME_PORTS,
    inject: [JOB_CATALOG, TaskExecutors, PgPoolSlots, CalendarRunGate, JobRuntimeCapacity],
    useFactory: (
      catalog: JobCatalogPort,
      executor: TaskExecutors,
      poolSlots: PgPoolSlots,
      gate: CalendarRunGate,
      capacity: JobRuntimeCapacity,
    ): JobRuntimePorts => ({
      catalog,
      executor,
      poolSlots,
      gate,
      backpressure: capacity.backpressure,
      policy: capacity.policy,
    }),
  },
  JobRuntimeHost,
  {
    provide: JobRunQueries,
    inject: [PG_POOL, SERVICE_CONFIG],
    useFactory: (pool: Pool, config: ServiceConfig) =>
      new JobRunQueries(pool, config.DATABASE_SCHEMA),
  },
  {
    provide: RUN_ADMISSION,
    inject: [PG_POOL, SERVICE_CONFIG],
    useFactory: (pool: Pool, config: SchedulingConfig) =>
      new AdmissionControl(new PgRunQueueStats(pool, config.DATABASE_SCHEMA), {
        maxQueuedPerTeam: config.SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM,
        maxQueuedPerJob: config.SCHEDULING_MAX_QUEUED_RUNS_PER_JOB,
      }),
  },
  JobRunUseCases,
];
