import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import {
  deploymentPlanIntegrationEventOf,
  overrideIntegrationEventOf,
  schedulingIntegrationEventOf,
} from '@trainyard/scheduling-contracts';
import {
  SCHEDULING_READ_MODEL_MIGRATIONS,
  deploymentPlanProjection,
  schedulingOverridesProjection,
  schedulingCalendarProjection,
} from '@trainyard/scheduling-read-models';
import { SchedulingModule } from './scheduling.module';

export const SCHEDULING_GRPC_PACKAGE = 'trainyard.scheduling.v1';
export const SCHEDULING_GRPC_SERVICE = 'trainyard.scheduling.v1.SchedulingService';
export const CONFLICT_GRPC_SERVICE = 'trainyard.scheduling.v1.ConflictService';
export const FREEZE_OVERRIDE_GRPC_SERVICE = 'trainyard.scheduling.v1.FreezeOverrideService';
export const CALENDAR_GRPC_SERVICE = 'trainyard.scheduling.v1.CalendarService';

export const schedulingService: ServiceDefinition = {
  service: 'scheduling',
  module: SchedulingModule,
  grpcPackages: [SCHEDULING_GRPC_PACKAGE],
  grpcServices: [
    SCHEDULING_GRPC_SERVICE,
    CONFLICT_GRPC_SERVICE,
    FREEZE_OVERRIDE_GRPC_SERVICE,
    CALENDAR_GRPC_SERVICE,
    'trainyard.scheduling.v1.DeploymentPlanService',
  ],
  // Each part's own publishing rule: deployment plans, freeze overrides, then the calendar's union.
  integrationEvents: (stored) =>
    deploymentPlanIntegrationEventOf(stored) ??
    overrideIntegrationEventOf(stored) ??
    schedulingIntegrationEventOf(stored),
  migrations: [SCHEDULING_READ_MODEL_MIGRATIONS],
  projections: [
    schedulingCalendarProjection,
    deploymentPlanProjection,
    schedulingOverridesProjection,
  ],
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(schedulingService, onStopped);
