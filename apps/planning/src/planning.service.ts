import type { Pool } from 'pg';
import { runServiceMain, type ServiceDefinition } from '@trainyard/platform';
import { planningProjection, planningReadModelsDdl } from '@trainyard/planning-read-models';
import { PlanningModule } from './planning.module';

export const PLANNING_GRPC_PACKAGE = 'trainyard.planning.v1';
export const PLANNING_GRPC_SERVICE = 'trainyard.planning.v1.PlanningService';

export const planningService: ServiceDefinition = {
  service: 'planning',
  module: PlanningModule,
  grpcPackages: [PLANNING_GRPC_PACKAGE],
  grpcServices: [PLANNING_GRPC_SERVICE],
  projections: [planningProjection],
  migrate: async (pool: Pool, schema: string) => {
    // One transaction under a per-schema lock, so instances starting together do not race.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `trainyard.planning.read-models.migrate:${schema}`,
      ]);
      await client.query(planningReadModelsDdl(schema));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  },
};

/** The process entry (main.ts): start, serve until SIGTERM/SIGINT, stop gracefully, exit. */
export const run = (onStopped?: () => Promise<void>): void =>
  runServiceMain(planningService, onStopped);
