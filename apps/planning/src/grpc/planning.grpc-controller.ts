import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { planning } from '@trainyard/grpc-contracts';
import { ValidationError } from '@trainyard/kernel';
import { currentTraceContext } from '@trainyard/observability';
import { RequirePermission, principalOf } from '@trainyard/platform';
import {
  scopeUsed,
  type PlanningPolicy,
  type RegisterWorkloadData,
} from '@trainyard/planning-domain';
import { PLANNING_POLICY } from '../config/planning-policy';
import type { CommandContext } from '../application/event-streams';
import { PlanningCommands, type ScopeChangeKind } from '../application/planning.commands';
import { PlanningQueries, type FieldNames } from '../application/planning.queries';
import {
  changeTypeOf,
  componentKindOf,
  fromProtoEnum,
  regulatedDataOf,
  releaseStatusOf,
  toProtoBacklogHealth,
  toProtoCapacity,
  toProtoApiVersion,
  toProtoDependencyMatrix,
  toProtoDeprecationFlag,
  toProtoEnum,
  toProtoPlan,
  toProtoRelease,
  toProtoTeamDeliveries,
  toProtoWorkload,
  workloadStateOf,
} from './planning.grpc-mapping';

const GRPC_FIELDS: FieldNames = {
  page: 'page',
  pageSize: 'page_size',
  state: 'state',
  tier: 'tier',
  changeType: 'change_type',
  status: 'status',
};

const firstText = (metadata: Metadata, key: string): string | undefined => {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : value?.toString();
};

/** Actor from the verified token, correlation id from the caller (or new), the active trace, the clock. */
const commandContext = (metadata: Metadata, reason: string): CommandContext => {
  const trace = currentTraceContext();
  const trimmed = reason.trim();
  return {
    actor: principalOf(metadata).subject,
    correlationId: firstText(metadata, 'x-correlation-id') || randomUUID(),
    ...(trimmed ? { reason: trimmed } : {}),
    ...(trace ? { trace } : {}),
    now: new Date().toISOString(),
  };
};

const scopeChangeOf = (value: planning.ScopeChange): ScopeChangeKind => {
  const change = fromProtoEnum('SCOPE_CHANGE', value);
  if (change !== 'include' && change !== 'exclude')
    throw new ValidationError(
      'change',
      'change must be SCOPE_CHANGE_INCLUDE or SCOPE_CHANGE_EXCLUDE',
    );
  return change;
};

/** `trainyard.planning.v1.PlanningService`: maps requests to domain commands and read-model queries. */
@Controller()
@planning.PlanningServiceControllerMethods()
export class PlanningGrpcController implements planning.PlanningServiceController {
  constructor(
    private readonly commands: PlanningCommands,
    private readonly queries: PlanningQueries,
    @Inject(PLANNING_POLICY) private readonly policy: PlanningPolicy,
  ) {}

  @RequirePermission('planning:write')
  async registerWorkload(
    request: planning.RegisterWorkloadRequest,
    metadata: Metadata,
  ): Promise<planning.RegisterWorkloadResponse> {
    const changeType = changeTypeOf(request.changeType);
    const api = request.apiContract;
    const data: RegisterWorkloadData = {
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
    const row = await this.commands.registerWorkload(
      data,
      commandContext(metadata, request.reason),
    );
    return { workload: toProtoWorkload(row) };
  }

  @RequirePermission('planning:write')
  async withdrawWorkload(
    request: planning.WithdrawWorkloadRequest,
    metadata: Metadata,
  ): Promise<planning.WithdrawWorkloadResponse> {
    const state = await this.commands.withdrawWorkload(
      request.workloadId,
      commandContext(metadata, request.reason),
    );
    return { workloadId: request.workloadId, state: workloadStateOf(state.status) };
  }

  @RequirePermission('planning:read')
  listTracks(): planning.ListTracksResponse {
    return {
      policyVersion: this.policy.version,
      tracks: this.policy.routing.tracks.map((t) => ({
        trackId: t.id,
        kind: toProtoEnum('TRACK_KIND', t.kind),
        name: t.name,
      })),
    };
  }

  @RequirePermission('planning:write')
  async planRelease(
    request: planning.PlanReleaseRequest,
    metadata: Metadata,
  ): Promise<planning.PlanReleaseResponse> {
    const release = await this.commands.planRelease(
      request.releaseId,
      request.trainId,
      { start: request.windowStart, end: request.windowEnd },
      commandContext(metadata, request.reason),
    );
    return { releaseId: request.releaseId, status: releaseStatusOf(release) };
  }

  @RequirePermission('planning:write')
  async negotiateReleaseScope(
    request: planning.NegotiateReleaseScopeRequest,
    metadata: Metadata,
  ): Promise<planning.NegotiateReleaseScopeResponse> {
    const change = scopeChangeOf(request.change);
    const { changed } = await this.commands.negotiateScope(
      request.releaseId,
      request.workloadId,
      change,
      commandContext(metadata, request.reason),
    );
    return {
      releaseId: request.releaseId,
      workloadId: request.workloadId,
      change: request.change,
      changed,
    };
  }

  @RequirePermission('planning:read')
  async allocateRelease(
    request: planning.AllocateReleaseRequest,
  ): Promise<planning.AllocateReleaseResponse> {
    const { plan, capacity } = await this.commands.previewAllocation(request.releaseId);
    return {
      plan: toProtoPlan(plan, await this.titles(plan.entries.map((e) => e.workloadId))),
      capacity: toProtoCapacity(capacity),
    };
  }

  @RequirePermission('planning:write')
  async commitReleaseScope(
    request: planning.CommitReleaseScopeRequest,
    metadata: Metadata,
  ): Promise<planning.CommitReleaseScopeResponse> {
    const outcome = await this.commands.commitScope(
      request.releaseId,
      commandContext(metadata, request.reason),
    );
    return {
      releaseId: request.releaseId,
      status: releaseStatusOf(outcome.release),
      ...(outcome.plan
        ? {
            plan: toProtoPlan(
              outcome.plan,
              await this.titles(outcome.plan.entries.map((e) => e.workloadId)),
            ),
          }
        : {}),
      warnings: [...outcome.warnings],
    };
  }

  @RequirePermission('planning:approve')
  async requestScopeException(
    request: planning.RequestScopeExceptionRequest,
    metadata: Metadata,
  ): Promise<planning.RequestScopeExceptionResponse> {
    const change = scopeChangeOf(request.change);
    const { changed, release } = await this.commands.requestScopeException(
      request.releaseId,
      request.workloadId,
      change,
      { reason: request.reason, approver: request.approver },
      commandContext(metadata, request.reason),
    );
    return {
      releaseId: request.releaseId,
      workloadId: request.workloadId,
      change: request.change,
      changed,
      capacityUsed: release.status === 'ScopeCommitted' ? scopeUsed(release.scope) : 0,
      capacityTotal: release.status === 'ScopeCommitted' ? release.capacityTotal : 0,
    };
  }

  @RequirePermission('planning:approve')
  async requestEmergencyPatch(
    request: planning.RequestEmergencyPatchRequest,
    metadata: Metadata,
  ): Promise<planning.RequestEmergencyPatchResponse> {
    const release = await this.commands.requestEmergencyPatch(
      request,
      commandContext(metadata, request.reason),
    );
    return { releaseId: request.releaseId, status: releaseStatusOf(release) };
  }

  @RequirePermission('planning:write')
  async closeRelease(
    request: planning.CloseReleaseRequest,
    metadata: Metadata,
  ): Promise<planning.CloseReleaseResponse> {
    const { release, closed } = await this.commands.closeRelease(
      request.releaseId,
      request.completed.map((c) => ({ workloadId: c.workloadId, jobSize: c.jobSize })),
      commandContext(metadata, request.reason),
    );
    return {
      releaseId: request.releaseId,
      status: releaseStatusOf(release),
      teams: closed ? toProtoTeamDeliveries(closed.teams) : [],
      notCompleted: closed ? [...closed.notCompleted] : [],
    };
  }

  @RequirePermission('planning:write')
  async cancelRelease(
    request: planning.CancelReleaseRequest,
    metadata: Metadata,
  ): Promise<planning.CancelReleaseResponse> {
    const { release, returned } = await this.commands.cancelRelease(
      request.releaseId,
      commandContext(metadata, request.reason),
    );
    return {
      releaseId: request.releaseId,
      status: releaseStatusOf(release),
      returnedToBacklog: [...returned],
    };
  }

  @RequirePermission('planning:read')
  async getRelease(request: planning.GetReleaseRequest): Promise<planning.GetReleaseResponse> {
    if (!request.releaseId) throw new ValidationError('release_id', 'release_id is required');
    return { release: toProtoRelease(await this.queries.getRelease(request.releaseId)) };
  }

  @RequirePermission('planning:read')
  async listReleases(
    request: planning.ListReleasesRequest,
  ): Promise<planning.ListReleasesResponse> {
    const page = await this.queries.listReleases(
      {
        trainId: request.trainId,
        status: fromProtoEnum('RELEASE_STATUS', request.status),
        page: request.page || 1,
        pageSize: request.pageSize || undefined,
      },
      GRPC_FIELDS,
    );
    return {
      items: page.items.map(toProtoRelease),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }

  @RequirePermission('planning:read')
  async getWorkload(request: planning.GetWorkloadRequest): Promise<planning.GetWorkloadResponse> {
    if (!request.workloadId) throw new ValidationError('workload_id', 'workload_id is required');
    return { workload: toProtoWorkload(await this.queries.getWorkload(request.workloadId)) };
  }

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
      items: page.items.map(toProtoWorkload),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }

  @RequirePermission('planning:read')
  async getBacklogHealth(): Promise<planning.GetBacklogHealthResponse> {
    return toProtoBacklogHealth(await this.queries.backlogHealth(new Date().toISOString()));
  }

  @RequirePermission('planning:read')
  async getDependencyMatrix(): Promise<planning.GetDependencyMatrixResponse> {
    return toProtoDependencyMatrix(await this.queries.dependencyMatrix());
  }

  @RequirePermission('planning:write')
  async deprecateApiVersion(
    request: planning.DeprecateApiVersionRequest,
    metadata: Metadata,
  ): Promise<planning.DeprecateApiVersionResponse> {
    const { lifecycle, changed } = await this.commands.deprecateApiVersion(
      {
        api: request.api,
        version: request.version,
        deprecatedAt: request.deprecatedAt,
        ...(request.sunsetAt ? { sunsetAt: request.sunsetAt } : {}),
      },
      commandContext(metadata, request.reason),
    );
    if (lifecycle.status !== 'Deprecated') throw new Error('deprecation recorded no timeline');
    const row = await this.queries.apiVersion(lifecycle.api, lifecycle.version);
    return { lifecycle: toProtoApiVersion(row), changed };
  }

  @RequirePermission('planning:read')
  async listApiDeprecations(
    request: planning.ListApiDeprecationsRequest,
  ): Promise<planning.ListApiDeprecationsResponse> {
    const { versions, flags } = await this.queries.apiDeprecations(
      request.api || undefined,
      new Date().toISOString(),
    );
    return { versions: versions.map(toProtoApiVersion), flags: flags.map(toProtoDeprecationFlag) };
  }

  @RequirePermission('planning:read')
  async estimateCapacity(
    request: planning.EstimateCapacityRequest,
  ): Promise<planning.EstimateCapacityResponse> {
    if (!request.trainId) throw new ValidationError('train_id', 'train_id is required');
    return {
      trainId: request.trainId,
      estimate: toProtoCapacity(
        await this.queries.estimateCapacity(request.trainId, request.teams),
      ),
    };
  }

  private titles(workloadIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return this.queries.titles(workloadIds);
  }
}
