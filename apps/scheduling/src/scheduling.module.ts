import { Module } from '@nestjs/common';
import { SchedulePreviewGrpcController } from './grpc/schedule-preview.grpc-controller';
import { SchedulingOpenApiController } from './http/scheduling-openapi.controller';
import { SchedulingHttpController } from './http/scheduling.http-controller';

/**
 * The scheduling bounded context (ARCHITECTURE.md): one calendar for windows, freezes and
 * holidays, exact in every time zone. Part 1 serves the schedule preview, a pure query.
 */
@Module({
  controllers: [
    SchedulePreviewGrpcController,
    SchedulingHttpController,
    SchedulingOpenApiController,
  ],
})
export class SchedulingModule {}
