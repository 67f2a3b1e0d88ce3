import { Module } from '@nestjs/common';
import { openApiController } from '@trainyard/platform';
import { ConflictQueries } from './application/conflicts.queries';
import { ConflictsGrpcController } from './grpc/conflicts.grpc-controller';
import { SchedulePreviewGrpcController } from './grpc/schedule-preview.grpc-controller';
import { ConflictsHttpController } from './http/conflicts.http-controller';
import { SchedulingHttpController } from './http/scheduling.http-controller';
import { CalendarGrpcController } from './grpc/calendar.grpc-controller';
import { CalendarHttpController } from './http/calendar.http-controller';
import { CalendarQueries } from './application/calendar.queries';
import { CalendarUseCases } from './application/use-cases/calendar.use-cases';
import { SchedulingReadSide } from './projections/scheduling-read-side';
import { FreezeOverrideUseCases } from './application/freeze-override.use-cases';
import { OverrideExpiry } from './application/override-expiry';
import { OverrideQueries } from './application/override.queries';
import {
  OVERRIDE_POLICY,
  OVERRIDE_SWEEP_INTERVAL_MS,
  SERVICE_OVERRIDE_POLICY,
  overrideSweepIntervalMs,
} from './config/override-policy';
import { FreezeOverrideGrpcController } from './grpc/freeze-override.grpc-controller';
import { OverrideHttpController } from './http/override.http-controller';
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
    FreezeOverrideGrpcController,
    OverrideHttpController,
    ConflictsGrpcController,
    ConflictsHttpController,
    ...ICALENDAR_CONTROLLERS,
    openApiController({
      service: 'scheduling',
      title: 'Trainyard scheduling',
      description:
        'Deployment and maintenance windows, freezes and holidays, exact in every time zone. Part 1: the schedule preview.',
    }),
  ],
  providers: [
    CalendarQueries,
    CalendarUseCases,
    // Freeze overrides (issue 11 item 3).
    { provide: OVERRIDE_POLICY, useValue: SERVICE_OVERRIDE_POLICY },
    { provide: OVERRIDE_SWEEP_INTERVAL_MS, useFactory: () => overrideSweepIntervalMs() },
    SchedulingReadSide,
    OverrideQueries,
    FreezeOverrideUseCases,
    OverrideExpiry,
    // Conflicts (issue 11 item 5).
    ConflictQueries,
    // iCalendar feed and maintenance-calendar imports (issue 11 item 7).
    ...ICALENDAR_PROVIDERS,
  ],
})
export class SchedulingModule {}
