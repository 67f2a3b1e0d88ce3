import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { DeploymentModule } from './deployment.module';

export const deploymentService: ServiceDefinition = {
  service: 'deployment',
  module: DeploymentModule,
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(deploymentService, onStopped);
