import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { jobInsights } from '@trainyard/grpc-contracts';
import { RequirePermission } from '@trainyard/platform';
import { withoutVersion } from '../../http/without-version';
import type { InsightFieldNames } from './job-insight.params';
import { JobInsightQueries } from './job-insight.queries';

export const JOB_INSIGHT_SERVICE = 'JobInsightService';

const GRPC_FIELDS: InsightFieldNames = {
  job: 'job',
  team: 'team',
  runId: 'run_id',
  sinceDays: 'since_days',
  days: 'days',
  page: 'page',
  pageSize: 'page_size',
};

/** 0 (proto3's "not given") is the default. */
const given = (value: number): number | undefined => (value === 0 ? undefined : value);

/** Read-model nulls as proto3's absent optional fields. */
type NoNull<T> = { [K in keyof T]: Exclude<T[K], null> | (null extends T[K] ? undefined : never) };
const present = <T extends object>(row: T): NoNull<T> =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v === null ? undefined : v]),
  ) as NoNull<T>;

/** `trainyard.scheduling.v1.JobInsightService`: read only, `scheduling:read` (viewers, auditors…). */
@Controller()
export class JobInsightsGrpcController implements jobInsights.JobInsightServiceController {
  constructor(private readonly queries: JobInsightQueries) {}

  @GrpcMethod(JOB_INSIGHT_SERVICE, 'getJobStats')
  @RequirePermission('scheduling:read')
  async getJobStats(
    request: jobInsights.GetJobStatsRequest,
  ): Promise<jobInsights.GetJobStatsResponse> {
    const stats = await this.queries.getJobStats(
      { job: request.job, sinceDays: given(request.sinceDays) },
      GRPC_FIELDS,
    );
    return { stats: present(stats) };
  }

  @GrpcMethod(JOB_INSIGHT_SERVICE, 'listJobStats')
  @RequirePermission('scheduling:read')
  async listJobStats(
    request: jobInsights.ListJobStatsRequest,
  ): Promise<jobInsights.ListJobStatsResponse> {
    const page = await this.queries.listJobStats(
      {
        team: request.team,
        sinceDays: given(request.sinceDays),
        page: given(request.page),
        pageSize: given(request.pageSize),
      },
      GRPC_FIELDS,
    );
    return { ...page, items: page.items.map(present) };
  }

  @GrpcMethod(JOB_INSIGHT_SERVICE, 'getTeamQueues')
  @RequirePermission('scheduling:read')
  async getTeamQueues(
    request: jobInsights.GetTeamQueuesRequest,
  ): Promise<jobInsights.GetTeamQueuesResponse> {
    const teams = await this.queries.teamQueues(
      { team: request.team, sinceDays: given(request.sinceDays) },
      GRPC_FIELDS,
    );
    return { teams: teams.map(present) };
  }

  @GrpcMethod(JOB_INSIGHT_SERVICE, 'listZombies')
  @RequirePermission('scheduling:read')
  async listZombies(
    request: jobInsights.ListZombiesRequest,
  ): Promise<jobInsights.ListZombiesResponse> {
    const items = await this.queries.zombies({ days: given(request.days) }, GRPC_FIELDS);
    return { items: items.map((f) => ({ ...f, reasons: [...f.reasons] })) };
  }

  @GrpcMethod(JOB_INSIGHT_SERVICE, 'getRunTimeline')
  @RequirePermission('scheduling:read')
  async getRunTimeline(
    request: jobInsights.GetRunTimelineRequest,
  ): Promise<jobInsights.GetRunTimelineResponse> {
    const { run, sla, tasks } = await this.queries.runTimeline(
      { runId: request.runId },
      GRPC_FIELDS,
    );
    return {
      run: present(withoutVersion(run)),
      tasks: tasks.map((t) => ({
        ...present(t),
        dependsOn: [...t.dependsOn],
        children: [...t.children],
        pools: [...t.pools],
        history: t.history.map(present),
      })),
      ...(sla
        ? {
            sla: {
              deadline: sla.deadline,
              predictedFinish: sla.predictedFinish ?? undefined,
              remainingTasks: [...(sla.remainingTasks ?? [])],
              missedDetectedAt: sla.missedDetectedAt ?? undefined,
            },
          }
        : {}),
    };
  }

  @GrpcMethod(JOB_INSIGHT_SERVICE, 'listPoolUsage')
  @RequirePermission('scheduling:read')
  async listPoolUsage(
    request: jobInsights.ListPoolUsageRequest,
  ): Promise<jobInsights.ListPoolUsageResponse> {
    const pools = await this.queries.poolUsage(
      { sinceDays: given(request.sinceDays) },
      GRPC_FIELDS,
    );
    return { pools: pools.map((p) => ({ ...p, holderJobs: [...p.holderJobs] })) };
  }
}
