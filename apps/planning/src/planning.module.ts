import { Module } from '@nestjs/common';

/** The planning bounded context: release trains, workloads, prioritisation, capacity allocation. */
@Module({})
export class PlanningModule {}
