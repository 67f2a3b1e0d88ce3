import { Module } from '@nestjs/common';
import { SERVICE_CONFIG, openApiController } from '@trainyard/platform';
import type { SchedulingConfig } from './config/scheduling-settings';
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
import {
  BASELINE_CALENDAR,
  DURATION_POLICY,
  RELEASE_TARGET_POLICY,
  SERVICE_BASELINE_CALENDAR,
  SERVICE_DURATION_POLICY,
  SERVICE_RELEASE_TARGET_POLICY,
} from './config/deployment-policies';
import { DeploymentQueries } from './application/deployment.queries';
import { DeploymentPlanUseCases } from './application/deployment-plan.use-cases';
import { PlacementInputs } from './application/placement-inputs';
import { PLACEMENT_INPUTS } from './application/placement-inputs.port';
import { DeploymentPlanGrpcController } from './grpc/deployment-plan.grpc-controller';
import { DeploymentsHttpController } from './http/deployments.http-controller';
import { PlanningEventsConsumer } from './kafka/planning-events.consumer';
import { FreezeOverrideUseCases } from './application/freeze-override.use-cases';
import { OverrideExpiry } from './application/override-expiry';
import { OverrideQueries } from './application/override.queries';
import {
  OVERRIDE_POLICY,
  OVERRIDE_SWEEP_INTERVAL_MS,
  SERVICE_OVERRIDE_POLICY,
} from './config/override-policy';
import { FreezeOverrideGrpcController } from './grpc/freeze-override.grpc-controller';
import { OverrideHttpController } from './http/override.http-controller';
import { ICALENDAR_CONTROLLERS, ICALENDAR_PROVIDERS } from './icalendar/icalendar.providers';
import { JOBS_EXEC_CONTROLLERS, JOBS_EXEC_PROVIDERS } from './jobs/jobs-exec.providers';
import {
  JOB_INSIGHT_CONTROLLERS,
  JOB_INSIGHT_PROVIDERS,
} from './jobs/insights/job-insights.providers';
import { CAPACITY_CONTROLLERS, CAPACITY_PROVIDERS } from './jobs/capacity/capacity.providers';
import {
  JOB_DEFINITION_CONTROLLERS,
  JOB_DEFINITION_PROVIDERS,
} from './jobs/definitions/job-definitions.providers';
import { JOB_RUN_CONTROLLERS, JOB_RUN_PROVIDERS } from './jobs/runs/job-runs.providers';

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
    DeploymentPlanGrpcController,
    DeploymentsHttpController,
    // Job executors' secrets (issue 12 item 2).
    ...JOBS_EXEC_CONTROLLERS,
    ...JOB_INSIGHT_CONTROLLERS,
    // Pools and fair share of the batch-job runtime (issue 12 item 4).
    ...CAPACITY_CONTROLLERS,
    ...JOB_DEFINITION_CONTROLLERS,
    // Job runs: trigger, cancel, run trees (issue 12 items 3–6).
    ...JOB_RUN_CONTROLLERS,
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
    // Deployment plans: placement of committed releases, durations (issue 11 items 4 and 6).
    { provide: DURATION_POLICY, useValue: SERVICE_DURATION_POLICY },
    { provide: RELEASE_TARGET_POLICY, useValue: SERVICE_RELEASE_TARGET_POLICY },
    { provide: BASELINE_CALENDAR, useValue: SERVICE_BASELINE_CALENDAR },
    DeploymentQueries,
    PlacementInputs,
    { provide: PLACEMENT_INPUTS, useExisting: PlacementInputs },
    DeploymentPlanUseCases,
    PlanningEventsConsumer,
    // Freeze overrides (issue 11 item 3).
    { provide: OVERRIDE_POLICY, useValue: SERVICE_OVERRIDE_POLICY },
    {
      provide: OVERRIDE_SWEEP_INTERVAL_MS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: SchedulingConfig) => config.OVERRIDE_SWEEP_INTERVAL_MS,
    },
    SchedulingReadSide,
    OverrideQueries,
    FreezeOverrideUseCases,
    OverrideExpiry,
    // Conflicts (issue 11 item 5).
    ConflictQueries,
    // iCalendar feed and maintenance-calendar imports (issue 11 item 7).
    ...ICALENDAR_PROVIDERS,
    // Job executors (HTTP, command, Kafka) and their secrets (issue 12 item 2).
    ...JOBS_EXEC_PROVIDERS,
    // Job time and operations: calendar gate, SLA watch, insights (issue 12 items 5 and 7).
    ...JOB_INSIGHT_PROVIDERS,
    // Pools and fair share of the batch-job runtime (issue 12 item 4).
    ...CAPACITY_PROVIDERS,
    // Job definitions (issue 12 items 1 and 7).
    ...JOB_DEFINITION_PROVIDERS,
    // The job runtime with its real ports, and the run use cases (issue 12 items 3–6).
    ...JOB_RUN_PROVIDERS,
  ],
})
export class SchedulingModule {}
