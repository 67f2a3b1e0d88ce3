import { Module } from '@nestjs/common';
import { openApiController } from '@trainyard/platform';
import { ConflictQueries } from './application/conflicts.queries';
import { ConflictsGrpcController } from './grpc/conflicts.grpc-controller';
import { SchedulePreviewGrpcController } from './grpc/schedule-preview.grpc-controller';
import { ConflictsHttpController } from './http/conflicts.http-controller';
import { SchedulingHttpController } from './http/scheduling.http-controller';

/**
 * The scheduling bounded context (ARCHITECTURE.md): one calendar for windows, freezes and
 * holidays, exact in every time zone. Part 1 serves the schedule preview, a pure query.
 */
@Module({
  controllers: [
    SchedulePreviewGrpcController,
    SchedulingHttpController,
    ConflictsGrpcController,
    ConflictsHttpController,
    openApiController({
      service: 'scheduling',
      title: 'Trainyard scheduling',
      description:
        'Deployment and maintenance windows, freezes and holidays, exact in every time zone. Part 1: the schedule preview.',
    }),
  ],
  providers: [ConflictQueries],
})
export class SchedulingModule {}
