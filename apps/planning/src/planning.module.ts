import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  PG_POOL,
  SERVICE_CONFIG,
  openApiController,
  type ServiceConfig,
} from '@trainyard/platform';
import { PersonalData } from '@trainyard/privacy';
import { RequesterNames } from './application/requester-names';
import { PLANNING_POLICY, SERVICE_PLANNING_POLICY } from './config/planning-policy';
import { DecisionInputs } from './application/decision-inputs';
import { PlanningCommandHandler } from './application/planning-command-handler';
import { PlanningQueries } from './application/planning.queries';
import { ReleaseAllocation } from './application/release-allocation';
import { ReleaseReactions } from './application/release-reactions';
import { ApiVersionUseCases } from './application/use-cases/api-version.use-cases';
import { ReleaseUseCases } from './application/use-cases/release.use-cases';
import { WorkloadUseCases } from './application/use-cases/workload.use-cases';
import { ApiVersionGrpcController } from './grpc/api-version.grpc-controller';
import { ReleaseQueryGrpcController } from './grpc/release-query.grpc-controller';
import { ReleaseGrpcController } from './grpc/release.grpc-controller';
import { WorkloadGrpcController } from './grpc/workload.grpc-controller';
import { PlanningHttpController } from './http/planning.http-controller';
import { PlanningReadSide } from './projections/planning-read-side';

/** The planning bounded context: release trains, workloads, prioritisation, capacity allocation. */
@Module({
  controllers: [
    WorkloadGrpcController,
    ReleaseGrpcController,
    ReleaseQueryGrpcController,
    ApiVersionGrpcController,
    PlanningHttpController,
    openApiController({
      service: 'planning',
      title: 'Trainyard planning read models',
      description:
        'Releases, workloads, backlog health and the team dependency matrix. Paginated: {items, page, pageSize, total}.',
    }),
  ],
  providers: [
    { provide: PLANNING_POLICY, useValue: SERVICE_PLANNING_POLICY },
    PlanningReadSide,
    PlanningQueries,
    DecisionInputs,
    ReleaseReactions,
    PlanningCommandHandler,
    ReleaseAllocation,
    WorkloadUseCases,
    ReleaseUseCases,
    ApiVersionUseCases,
    // Personal data sealed per subject (issue 13 item 6; docs/adr/0013-crypto-shredding.md).
    {
      provide: PersonalData,
      useFactory: (pool: Pool, config: ServiceConfig) => PersonalData.fromSettings(pool, config),
      inject: [PG_POOL, SERVICE_CONFIG],
    },
    RequesterNames,
  ],
})
export class PlanningModule {}
