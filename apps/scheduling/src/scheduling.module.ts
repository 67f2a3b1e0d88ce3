import { Module } from '@nestjs/common';
import { openApiController } from '@trainyard/platform';
import { SchedulePreviewGrpcController } from './grpc/schedule-preview.grpc-controller';
import { SchedulingHttpController } from './http/scheduling.http-controller';
import { ICalendarModule } from './icalendar/icalendar.module';

/**
 * The scheduling bounded context (ARCHITECTURE.md): one calendar for windows, freezes and
 * holidays, exact in every time zone. Part 1 serves the schedule preview, a pure query.
 */
@Module({
  imports: [ICalendarModule],
  controllers: [
    SchedulePreviewGrpcController,
    SchedulingHttpController,
    openApiController({
      service: 'scheduling',
      title: 'Trainyard scheduling',
      description:
        'Deployment and maintenance windows, freezes and holidays, exact in every time zone. Part 1: the schedule preview.',
    }),
  ],
})
export class SchedulingModule {}
