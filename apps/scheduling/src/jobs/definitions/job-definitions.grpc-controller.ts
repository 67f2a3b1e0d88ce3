import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { jobDefinitions } from '@trainyard/grpc-contracts';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { JobDefinitionQueries, jobName, type JobQueryFieldNames } from './job-definition.queries';
import { JobDefinitionUseCases } from './job-definition.use-cases';
import { toProtoChange, toProtoJob, toProtoVersion } from './job-definitions.grpc-mapping';

export const JOB_DEFINITION_SERVICE = 'JobDefinitionService';

const GRPC_FIELDS: JobQueryFieldNames & { status: string; owner: string } = {
  page: 'page',
  pageSize: 'page_size',
  status: 'status',
  owner: 'owner',
};

/** 0 (proto3's "not given") is the default. */
const given = (value: number): number | undefined => (value === 0 ? undefined : value);

/** `trainyard.scheduling.v1.JobDefinitionService`: every method with its own permission. */
@Controller()
export class JobDefinitionsGrpcController implements jobDefinitions.JobDefinitionServiceController {
  constructor(
    private readonly useCases: JobDefinitionUseCases,
    private readonly queries: JobDefinitionQueries,
    private readonly contexts: CommandContexts,
  ) {}

  private async job(name: string) {
    return toProtoJob(await this.queries.get(name));
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'validateManifest')
  @RequirePermission('scheduling:read')
  validateManifest(
    request: jobDefinitions.ValidateManifestRequest,
  ): jobDefinitions.ValidateManifestResponse {
    const { manifest, digest } = this.useCases.validate(request.manifest);
    return { name: manifest.name, digest, manifestJson: JSON.stringify(manifest) };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'diffManifest')
  @RequirePermission('scheduling:read')
  async diffManifest(
    request: jobDefinitions.DiffManifestRequest,
  ): Promise<jobDefinitions.DiffManifestResponse> {
    const diff = await this.useCases.diff(request.manifest);
    return {
      name: diff.name,
      runningVersion: diff.runningVersion,
      runningDigest: diff.runningDigest ?? '',
      digest: diff.digest,
      changes: diff.changes.map(toProtoChange),
      lines: [...diff.lines],
      needsApproval: diff.approvalReasons.length > 0,
      approvalReasons: [...diff.approvalReasons],
      unchanged: diff.unchanged,
      pendingDigest: diff.pendingDigest ?? '',
    };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'applyManifest')
  @RequirePermission('scheduling:jobs:write')
  async applyManifest(
    request: jobDefinitions.ApplyManifestRequest,
    metadata: Metadata,
  ): Promise<jobDefinitions.ApplyManifestResponse> {
    const { name, outcome, event } = await this.useCases.apply(
      request.manifest,
      this.contexts.forGrpc(metadata, request.reason),
    );
    return {
      outcome,
      job: await this.job(name),
      changes:
        event && event.type !== 'JobDeprecated' && event.type !== 'JobReinstated'
          ? event.data.changes.map(toProtoChange)
          : [],
      approvalReasons: event?.type === 'JobManifestProposed' ? [...event.data.reasons] : [],
    };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'approveManifest')
  @RequirePermission('scheduling:jobs:approve')
  async approveManifest(
    request: jobDefinitions.ApproveManifestRequest,
    metadata: Metadata,
  ): Promise<jobDefinitions.ApproveManifestResponse> {
    const name = jobName(request.name);
    const { changed } = await this.useCases.handle(
      'ApproveJobManifest',
      { name, digest: request.digest },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { job: await this.job(name), changed };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'rollBackJob')
  @RequirePermission('scheduling:jobs:write')
  async rollBackJob(
    request: jobDefinitions.RollBackJobRequest,
    metadata: Metadata,
  ): Promise<jobDefinitions.RollBackJobResponse> {
    const name = jobName(request.name);
    const { changed } = await this.useCases.handle(
      'RollBackJobManifest',
      { name, toVersion: request.toVersion },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { job: await this.job(name), changed };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'deprecateJob')
  @RequirePermission('scheduling:jobs:write')
  async deprecateJob(
    request: jobDefinitions.DeprecateJobRequest,
    metadata: Metadata,
  ): Promise<jobDefinitions.DeprecateJobResponse> {
    const name = jobName(request.name);
    const { changed } = await this.useCases.handle(
      'DeprecateJob',
      { name, reason: request.reason },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { job: await this.job(name), changed };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'reinstateJob')
  @RequirePermission('scheduling:jobs:write')
  async reinstateJob(
    request: jobDefinitions.ReinstateJobRequest,
    metadata: Metadata,
  ): Promise<jobDefinitions.ReinstateJobResponse> {
    const name = jobName(request.name);
    const { changed } = await this.useCases.handle(
      'ReinstateJob',
      { name, ...(request.reason ? { reason: request.reason } : {}) },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { job: await this.job(name), changed };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'getJob')
  @RequirePermission('scheduling:read')
  async getJob(request: jobDefinitions.GetJobRequest): Promise<jobDefinitions.GetJobResponse> {
    return { job: await this.job(request.name) };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'listJobs')
  @RequirePermission('scheduling:read')
  async listJobs(
    request: jobDefinitions.ListJobsRequest,
  ): Promise<jobDefinitions.ListJobsResponse> {
    const page = await this.queries.list(
      {
        owner: request.owner,
        status: request.status,
        page: given(request.page),
        pageSize: given(request.pageSize),
      },
      GRPC_FIELDS,
    );
    return { ...page, items: page.items.map(toProtoJob) };
  }

  @GrpcMethod(JOB_DEFINITION_SERVICE, 'listJobVersions')
  @RequirePermission('scheduling:read')
  async listJobVersions(
    request: jobDefinitions.ListJobVersionsRequest,
  ): Promise<jobDefinitions.ListJobVersionsResponse> {
    const page = await this.queries.versions(
      request.name,
      { page: given(request.page), pageSize: given(request.pageSize) },
      GRPC_FIELDS,
    );
    return { ...page, items: page.items.map(toProtoVersion) };
  }
}
