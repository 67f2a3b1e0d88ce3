import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { SchedulingModule } from './scheduling.module';

export const SCHEDULING_GRPC_PACKAGE = 'trainyard.scheduling.v1';
export const SCHEDULING_GRPC_SERVICE = 'trainyard.scheduling.v1.SchedulingService';
export const CONFLICT_GRPC_SERVICE = 'trainyard.scheduling.v1.ConflictService';

export const schedulingService: ServiceDefinition = {
  service: 'scheduling',
  module: SchedulingModule,
  grpcPackages: [SCHEDULING_GRPC_PACKAGE],
  grpcServices: [SCHEDULING_GRPC_SERVICE, CONFLICT_GRPC_SERVICE],
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(schedulingService, onStopped);
