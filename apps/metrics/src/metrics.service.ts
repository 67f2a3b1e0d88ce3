import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { MetricsModule } from './metrics.module';

export const metricsService: ServiceDefinition = {
  service: 'metrics',
  module: MetricsModule,
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(metricsService, onStopped);
