import { Module } from '@nestjs/common';
import { openApiController } from '@trainyard/platform';
import { SchedulePreviewGrpcController } from './grpc/schedule-preview.grpc-controller';
import { SchedulingHttpController } from './http/scheduling.http-controller';
import { CalendarGrpcController } from './grpc/calendar.grpc-controller';
import { CalendarHttpController } from './http/calendar.http-controller';
import { CalendarQueries } from './application/calendar.queries';
import { CalendarUseCases } from './application/use-cases/calendar.use-cases';
import { SchedulingReadSide } from './projections/scheduling-read-side';
import { ICALENDAR_CONTROLLERS, ICALENDAR_PROVIDERS } from './icalendar/icalendar.providers';

/**
 * The scheduling bounded context (ARCHITECTURE.md): one calendar for windows, freezes and
 * holidays, exact in every time zone. Part 1 serves the schedule preview, a pure query.
 */
@Module({
  controllers: [
    SchedulePreviewGrpcController,
    SchedulingHttpController,
    CalendarGrpcController,
    CalendarHttpController,
    ...ICALENDAR_CONTROLLERS,
    openApiController({
      service: 'scheduling',
      title: 'Trainyard scheduling',
      description:
        'Deployment and maintenance windows, freezes and holidays, exact in every time zone. Part 1: the schedule preview.',
    }),
  ],
  providers: [SchedulingReadSide, CalendarQueries, CalendarUseCases, ...ICALENDAR_PROVIDERS],
})
export class SchedulingModule {}
