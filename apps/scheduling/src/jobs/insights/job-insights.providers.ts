import { CalendarRunGate } from './calendar-run-gate';
import { JobInsightQueries } from './job-insight.queries';
import { JobInsightsGrpcController } from './job-insights.grpc-controller';
import { JobInsightsHttpController } from './job-insights.http-controller';
import { SERVICE_CONFIG } from '@trainyard/platform';
import type { SchedulingConfig } from '../../config/scheduling-settings';
import { JOB_INSIGHTS_CONFIG, jobInsightsConfigOf } from './job-insights.config';
import { SlaWatchService } from './sla-watch.service';

/**
 * Job time and operations (issue 12, items 5 and 7) in the scheduling module: the calendar gate
 * for the runtime (`CalendarRunGate`, a `RunGatePort`), the insight queries, the SLA watch.
 */
export const JOB_INSIGHT_PROVIDERS = [
  {
    provide: JOB_INSIGHTS_CONFIG,
    inject: [SERVICE_CONFIG],
    useFactory: (config: SchedulingConfig) => jobInsightsConfigOf(config),
  },
  JobInsightQueries,
  SlaWatchService,
  CalendarRunGate,
];

export const JOB_INSIGHT_CONTROLLERS = [JobInsightsGrpcController, JobInsightsHttpController];
