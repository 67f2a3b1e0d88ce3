import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { ComplianceModule } from './compliance.module';

export const complianceService: ServiceDefinition = {
  service: 'compliance',
  module: ComplianceModule,
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(complianceService, onStopped);
