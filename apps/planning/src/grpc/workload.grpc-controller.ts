import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { planning } from '@trainyard/grpc-contracts';
import { ValidationError } from '@trainyard/kernel';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import type { RegisterWorkloadData } from '@trainyard/planning-domain';
import type { WorkloadRow } from '@trainyard/planning-read-models';
import { PlanningQueries } from '../application/planning.queries';
import { RequesterNames } from '../application/requester-names';
import { WorkloadUseCases } from '../application/use-cases/workload.use-cases';
import { GRPC_FIELDS, PLANNING_SERVICE } from './grpc-fields';
import {
  changeTypeOf,
  componentKindOf,
  fromProtoEnum,
  regulatedDataOf,
  toProtoBacklogHealth,
  toProtoDependencyMatrix,
  toProtoWorkload,
  workloadStateOf,
} from './planning.grpc-mapping';

type WorkloadRpcs = Pick<
  planning.PlanningServiceController,
  | 'registerWorkload'
  | 'withdrawWorkload'
  | 'getWorkload'
  | 'listWorkloads'
  | 'getBacklogHealth'
  | 'getDependencyMatrix'
>;

const registrationOf = (request: planning.RegisterWorkloadRequest): RegisterWorkloadData => {
  const changeType = changeTypeOf(request.changeType);
  const api = request.apiContract;
  return {
    workloadId: request.workloadId,
    title: request.title,
    team: request.team,
    components: request.components.map((c) => ({ name: c.name, kind: componentKindOf(c.kind) })),
    regulatedData: request.regulatedData.map(regulatedDataOf),
    jobSize: request.jobSize,
    businessValue: request.businessValue,
    timeCriticality: request.timeCriticality,
    riskReduction: request.riskReduction,
    ...(changeType ? { changeType } : {}),
    dependsOn: request.dependsOn,
    ...(api && (api.api || api.version)
      ? { apiContract: { api: api.api, version: api.version } }
      : {}),
    schemaChange: request.schemaChange,
    ...(request.consumedApis.length > 0
      ? { consumedApis: request.consumedApis.map((a) => ({ api: a.api, version: a.version })) }
      : {}),
    ...(request.libraries.length > 0
      ? { libraries: request.libraries.map((l) => ({ name: l.name, version: l.version })) }
      : {}),
    ...(request.featureFlag ? { featureFlag: request.featureFlag } : {}),
    ...(request.severity ? { severity: request.severity } : {}),
    ...(request.linkedIncident ? { linkedIncident: request.linkedIncident } : {}),
  };
};

/** The workload RPCs of `trainyard.planning.v1.PlanningService`, and the backlog views. */
@Controller()
export class WorkloadGrpcController implements WorkloadRpcs {
  constructor(
    private readonly workloads: WorkloadUseCases,
    private readonly queries: PlanningQueries,
    private readonly contexts: CommandContexts,
    private readonly requesters: RequesterNames,
  ) {}

  /** The rows as the wire shows them, requester names opened now (`[erased]` after an erasure). */
  private async toWorkloads(rows: readonly WorkloadRow[]): Promise<planning.Workload[]> {
    const requesters = await this.requesters.of(rows);
    return rows.map((row, i) => ({
      ...toProtoWorkload(row),
      requesterName: requesters[i]?.name ?? '',
    }));
  }

  @GrpcMethod(PLANNING_SERVICE, 'registerWorkload')
  @RequirePermission('planning:write')
  async registerWorkload(
    request: planning.RegisterWorkloadRequest,
    metadata: Metadata,
  ): Promise<planning.RegisterWorkloadResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const registration = registrationOf(request);
    const requester = await this.requesters.seal('requester', request.requester);
    const row = await this.workloads.register(
      requester ? { ...registration, requester } : registration,
      ctx,
    );
    const [workload] = await this.toWorkloads([row]);
    return { workload: workload! };
  }

  @GrpcMethod(PLANNING_SERVICE, 'withdrawWorkload')
  @RequirePermission('planning:write')
  async withdrawWorkload(
    request: planning.WithdrawWorkloadRequest,
    metadata: Metadata,
  ): Promise<planning.WithdrawWorkloadResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const state = await this.workloads.withdraw(request.workloadId, ctx);
    return { workloadId: request.workloadId, state: workloadStateOf(state.status) };
  }

  @GrpcMethod(PLANNING_SERVICE, 'getWorkload')
  @RequirePermission('planning:read')
  async getWorkload(request: planning.GetWorkloadRequest): Promise<planning.GetWorkloadResponse> {
    if (!request.workloadId) throw new ValidationError('workload_id', 'workload_id is required');
    const [workload] = await this.toWorkloads([await this.queries.getWorkload(request.workloadId)]);
    return { workload: workload! };
  }

  @GrpcMethod(PLANNING_SERVICE, 'listWorkloads')
  @RequirePermission('planning:read')
  async listWorkloads(
    request: planning.ListWorkloadsRequest,
  ): Promise<planning.ListWorkloadsResponse> {
    const page = await this.queries.listWorkloads(
      {
        state: fromProtoEnum('WORKLOAD_STATE', request.state),
        team: request.team,
        tier: fromProtoEnum('RISK_TIER', request.tier),
        changeType: fromProtoEnum('CHANGE_TYPE', request.changeType),
        trackId: request.trackId,
        page: request.page || 1,
        pageSize: request.pageSize || undefined,
      },
      GRPC_FIELDS,
    );
    return {
      items: await this.toWorkloads(page.items),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }

  @GrpcMethod(PLANNING_SERVICE, 'getBacklogHealth')
  @RequirePermission('planning:read')
  async getBacklogHealth(): Promise<planning.GetBacklogHealthResponse> {
    return toProtoBacklogHealth(await this.queries.backlogHealth(this.contexts.now()));
  }

  @GrpcMethod(PLANNING_SERVICE, 'getDependencyMatrix')
  @RequirePermission('planning:read')
  async getDependencyMatrix(): Promise<planning.GetDependencyMatrixResponse> {
    return toProtoDependencyMatrix(await this.queries.dependencyMatrix());
  }
}
