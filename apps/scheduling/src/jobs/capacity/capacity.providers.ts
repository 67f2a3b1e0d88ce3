import type { Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { PgPoolSlots } from './pg-pool-slots';
import { PoolQueries } from './pool.queries';
import { PoolUseCases } from './pool.use-cases';
import { PoolsGrpcController } from './pools.grpc-controller';
import { PoolsHttpController } from './pools.http-controller';

/** Pools and fair share (issue 12, item 4): registered by SchedulingModule. */
export const CAPACITY_CONTROLLERS = [PoolsGrpcController, PoolsHttpController];
export const CAPACITY_PROVIDERS: Provider[] = [
  {
    provide: PgPoolSlots,
    inject: [PG_POOL, SERVICE_CONFIG],
    useFactory: (pool: Pool, config: ServiceConfig) =>
      new PgPoolSlots(pool, config.DATABASE_SCHEMA),
  },
  PoolQueries,
  PoolUseCases,
];
