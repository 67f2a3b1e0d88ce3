import { Module } from '@nestjs/common';
import { PLANNING_POLICY, SERVICE_PLANNING_POLICY } from './config/planning-policy';
import { PlanningCommands } from './application/planning.commands';
import { PlanningQueries } from './application/planning.queries';
import { PlanningGrpcController } from './grpc/planning.grpc-controller';
import { PlanningOpenApiController } from './http/planning-openapi.controller';
import { PlanningHttpController } from './http/planning.http-controller';
import { PlanningReadSide } from './projections/planning-read-side';

/** The planning bounded context: release trains, workloads, prioritisation, capacity allocation. */
@Module({
  controllers: [PlanningGrpcController, PlanningHttpController, PlanningOpenApiController],
  providers: [
    { provide: PLANNING_POLICY, useValue: SERVICE_PLANNING_POLICY },
    PlanningReadSide,
    PlanningQueries,
    PlanningCommands,
  ],
})
export class PlanningModule {}
