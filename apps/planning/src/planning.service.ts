import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { planningIntegrationEventOf } from '@trainyard/planning-contracts';
import {
  PLANNING_READ_MODEL_MIGRATIONS,
  planningProjection,
} from '@trainyard/planning-read-models';
import { PlanningModule } from './planning.module';

export const PLANNING_GRPC_PACKAGE = 'trainyard.planning.v1';
export const PLANNING_GRPC_SERVICE = 'trainyard.planning.v1.PlanningService';

export const planningService: ServiceDefinition = {
  service: 'planning',
  module: PlanningModule,
  grpcPackages: [PLANNING_GRPC_PACKAGE],
  grpcServices: [PLANNING_GRPC_SERVICE],
  integrationEvents: planningIntegrationEventOf,
  migrations: [PLANNING_READ_MODEL_MIGRATIONS],
  projections: [planningProjection],
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(planningService, onStopped);
