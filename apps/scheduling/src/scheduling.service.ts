import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { SchedulingModule } from './scheduling.module';

export const schedulingService: ServiceDefinition = {
  service: 'scheduling',
  module: SchedulingModule,
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(schedulingService, onStopped);
