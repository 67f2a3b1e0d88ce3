import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { PlanningModule } from './planning.module';

export const planningService: ServiceDefinition = {
  service: 'planning',
  module: PlanningModule,
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void => runServiceMain(planningService, onStopped);
