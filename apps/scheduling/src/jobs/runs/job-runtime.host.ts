import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import type { DispatchPolicy } from '@trainyard/scheduling-domain';
import type {
  BackpressurePort,
  JobCatalogPort,
  PoolSlotsPort,
  RunGatePort,
  TaskExecutorPort,
} from '../runtime-ports';
import { JobRuntime } from '../runtime/job-runtime';

/** What the runtime is given in the service (job-runs.providers.ts assembles the real ones). */
export interface JobRuntimePorts {
  readonly catalog: JobCatalogPort;
  readonly executor: TaskExecutorPort;
  readonly poolSlots?: PoolSlotsPort;
  readonly gate?: RunGatePort;
  readonly backpressure?: BackpressurePort;
  readonly policy?: DispatchPolicy;
}
export const JOB_RUNTIME_PORTS = Symbol('trainyard.scheduling.job-runtime-ports');

/** The runtime settings of the service's configuration (SCHEDULING_JOB_*, service-config.ts). */
export const jobRuntimeSettings = (config: ServiceConfig) => ({
  instanceId: config.SCHEDULING_JOB_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
  concurrency: config.SCHEDULING_JOB_WORKERS,
  leaseMs: config.SCHEDULING_JOB_LEASE_MS,
  environment: config.SCHEDULING_JOB_ENVIRONMENT,
  scheduler: config.SCHEDULING_JOB_SCHEDULER,
});

/**
 * The job runtime's life in the scheduling service: created with the module, started once the
 * application is bootstrapped (the service's migrations, JOB_RUNTIME_MIGRATIONS among them, have
 * run by then), stopped gracefully with the module: no new claims or ticks, the tasks in flight
 * given SCHEDULING_JOB_DRAIN_MS to finish (then aborted), their results recorded.
 *
 * The runtime keeps real time (Date.now): its timers are real. The service's CLOCK, which tests
 * replace with a manual one, stays the clock of commands and queries.
 */
@Injectable()
export class JobRuntimeHost implements OnApplicationBootstrap, OnModuleDestroy {
  readonly runtime: JobRuntime;
  private readonly logger = new Logger('JobRuntime');
  private readonly drainMs: number;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(JOB_RUNTIME_PORTS) ports: JobRuntimePorts,
  ) {
    this.drainMs = config.SCHEDULING_JOB_DRAIN_MS;
    this.runtime = new JobRuntime({
      pool,
      schema: config.DATABASE_SCHEMA,
      ...ports,
      ...jobRuntimeSettings(config),
      onError: (error) =>
        this.logger.warn(`job runtime: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
    this.logger.log(`job runtime ${this.runtime.instanceId} started`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.runtime.stop(this.drainMs);
  }
}
