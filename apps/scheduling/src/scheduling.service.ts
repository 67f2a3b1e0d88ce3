import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { schedulingIntegrationEventOf } from '@trainyard/scheduling-contracts';
import {
  SCHEDULING_READ_MODEL_MIGRATIONS,
  deploymentPlanProjection,
  jobPoolsProjection,
  jobDefinitionsProjection,
  schedulingOverridesProjection,
  schedulingCalendarProjection,
  jobInsightsProjection,
} from '@trainyard/scheduling-read-models';
import { JOB_RUNTIME_MIGRATIONS } from './jobs/runtime/job-runtime.migrations';
import { schedulingSettings } from './config/scheduling-settings';
import { SchedulingModule } from './scheduling.module';

// The job runtime as benchmarks start it (bench/jobs.bench.ts), with the ports it is given.
export { startJobRuntime } from './jobs/runtime/start-job-runtime';
export type { StartJobRuntimeOptions } from './jobs/runtime/start-job-runtime';
export type { JobRuntime } from './jobs/runtime/job-runtime';
export type {
  JobCatalogPort,
  RunningJob,
  TaskExecution,
  TaskExecutionResult,
  TaskExecutorPort,
} from './jobs/runtime-ports';

export const SCHEDULING_GRPC_PACKAGE = 'trainyard.scheduling.v1';
export const SCHEDULING_GRPC_SERVICE = 'trainyard.scheduling.v1.SchedulingService';
export const CALENDAR_GRPC_SERVICE = 'trainyard.scheduling.v1.CalendarService';
export const FREEZE_OVERRIDE_GRPC_SERVICE = 'trainyard.scheduling.v1.FreezeOverrideService';
export const CONFLICT_GRPC_SERVICE = 'trainyard.scheduling.v1.ConflictService';
export const DEPLOYMENT_PLAN_GRPC_SERVICE = 'trainyard.scheduling.v1.DeploymentPlanService';
export const JOB_RUN_GRPC_SERVICE = 'trainyard.scheduling.v1.JobRunService';
export const SECRET_GRPC_SERVICE = 'trainyard.scheduling.v1.SecretService';
export const JOB_INSIGHT_GRPC_SERVICE = 'trainyard.scheduling.v1.JobInsightService';
export const POOL_GRPC_SERVICE = 'trainyard.scheduling.v1.PoolService';
export const JOB_DEFINITION_GRPC_SERVICE = 'trainyard.scheduling.v1.JobDefinitionService';

export const schedulingService: ServiceDefinition = {
  service: 'scheduling',
  module: SchedulingModule,
  settings: schedulingSettings,
  grpcPackages: [SCHEDULING_GRPC_PACKAGE],
  grpcServices: [
    SCHEDULING_GRPC_SERVICE,
    CALENDAR_GRPC_SERVICE,
    FREEZE_OVERRIDE_GRPC_SERVICE,
    CONFLICT_GRPC_SERVICE,
    DEPLOYMENT_PLAN_GRPC_SERVICE,
    JOB_RUN_GRPC_SERVICE,
    SECRET_GRPC_SERVICE,
    JOB_INSIGHT_GRPC_SERVICE,
    POOL_GRPC_SERVICE,
    JOB_DEFINITION_GRPC_SERVICE,
  ],
  integrationEvents: schedulingIntegrationEventOf,
  // The job runtime's tables (job_runs, job_task_runs, …) after the read models'.
  migrations: [SCHEDULING_READ_MODEL_MIGRATIONS, JOB_RUNTIME_MIGRATIONS],
  projections: [
    schedulingCalendarProjection,
    schedulingOverridesProjection,
    deploymentPlanProjection,
    jobInsightsProjection,
    jobPoolsProjection,
    jobDefinitionsProjection,
  ],
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(schedulingService, onStopped);
