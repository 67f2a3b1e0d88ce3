import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { jobRuns } from '@trainyard/grpc-contracts';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { JobRunUseCases, type RunFieldNames } from './job-run.use-cases';
import { runOut, taskRunOut } from './job-runs.mapping';

export const JOB_RUN_SERVICE = 'JobRunService';

const GRPC_FIELDS: RunFieldNames = {
  job: 'job',
  runId: 'run_id',
  idempotencyKey: 'idempotency_key',
};

/** `trainyard.scheduling.v1.JobRunService`: operators trigger and cancel, readers read. */
@Controller()
export class JobRunsGrpcController implements jobRuns.JobRunServiceController {
  constructor(
    private readonly runs: JobRunUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(JOB_RUN_SERVICE, 'triggerRun')
  @RequirePermission('scheduling:runs:operate')
  async triggerRun(
    request: jobRuns.TriggerRunRequest,
    metadata: Metadata,
  ): Promise<jobRuns.TriggerRunResponse> {
    const { runId, created, run } = await this.runs.trigger(
      { job: request.job, idempotencyKey: request.idempotencyKey },
      this.contexts.forGrpc(metadata, request.reason),
      GRPC_FIELDS,
    );
    return { runId, created, run: runOut(run) };
  }

  @GrpcMethod(JOB_RUN_SERVICE, 'cancelRun')
  @RequirePermission('scheduling:runs:operate')
  async cancelRun(
    request: jobRuns.CancelRunRequest,
    metadata: Metadata,
  ): Promise<jobRuns.CancelRunResponse> {
    const { changed, run } = await this.runs.cancel(
      request.runId,
      this.contexts.forGrpc(metadata, request.reason),
      GRPC_FIELDS,
    );
    return { changed, run: runOut(run) };
  }

  @GrpcMethod(JOB_RUN_SERVICE, 'getRun')
  @RequirePermission('scheduling:read')
  async getRun(request: jobRuns.GetRunRequest): Promise<jobRuns.GetRunResponse> {
    return { run: runOut(await this.runs.getRun(request.runId, GRPC_FIELDS)) };
  }

  @GrpcMethod(JOB_RUN_SERVICE, 'listRuns')
  @RequirePermission('scheduling:read')
  async listRuns(request: jobRuns.ListRunsRequest): Promise<jobRuns.ListRunsResponse> {
    const page = await this.runs.listRuns({
      ...(request.job ? { job: request.job } : {}),
      ...(request.state ? { state: request.state } : {}),
      ...(request.from ? { from: request.from } : {}),
      ...(request.to ? { to: request.to } : {}),
      ...(request.pageSize ? { pageSize: request.pageSize } : {}),
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    });
    return { runs: page.runs.map(runOut), nextPageToken: page.nextPageToken ?? '' };
  }

  @GrpcMethod(JOB_RUN_SERVICE, 'listTaskRuns')
  @RequirePermission('scheduling:read')
  async listTaskRuns(request: jobRuns.ListTaskRunsRequest): Promise<jobRuns.ListTaskRunsResponse> {
    return { tasks: (await this.runs.listTaskRuns(request.runId, GRPC_FIELDS)).map(taskRunOut) };
  }
}
