import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { planning } from '@trainyard/grpc-contracts';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { scopeUsed } from '@trainyard/planning-domain';
import { PlanningQueries } from '../application/planning.queries';
import { ReleaseUseCases } from '../application/use-cases/release.use-cases';
import { toProtoCapacity, toProtoPlan } from './allocation.grpc-mapping';
import { PLANNING_SERVICE, scopeChangeOf } from './grpc-fields';
import { releaseStatusOf, toProtoTeamDeliveries } from './planning.grpc-mapping';

type ReleaseCommandRpcs = Pick<
  planning.PlanningServiceController,
  | 'planRelease'
  | 'negotiateReleaseScope'
  | 'allocateRelease'
  | 'commitReleaseScope'
  | 'requestScopeException'
  | 'requestEmergencyPatch'
  | 'closeRelease'
  | 'cancelRelease'
>;

/** The release decisions of `trainyard.planning.v1.PlanningService`. */
@Controller()
export class ReleaseGrpcController implements ReleaseCommandRpcs {
  constructor(
    private readonly releases: ReleaseUseCases,
    private readonly queries: PlanningQueries,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(PLANNING_SERVICE, 'planRelease')
  @RequirePermission('planning:write')
  async planRelease(
    request: planning.PlanReleaseRequest,
    metadata: Metadata,
  ): Promise<planning.PlanReleaseResponse> {
    const window = { start: request.windowStart, end: request.windowEnd };
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const release = await this.releases.plan(request.releaseId, request.trainId, window, ctx);
    return { releaseId: request.releaseId, status: releaseStatusOf(release) };
  }

  @GrpcMethod(PLANNING_SERVICE, 'negotiateReleaseScope')
  @RequirePermission('planning:write')
  async negotiateReleaseScope(
    request: planning.NegotiateReleaseScopeRequest,
    metadata: Metadata,
  ): Promise<planning.NegotiateReleaseScopeResponse> {
    const change = scopeChangeOf(request.change);
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { changed } = await this.releases.negotiateScope(
      request.releaseId,
      request.workloadId,
      change,
      ctx,
    );
    return {
      releaseId: request.releaseId,
      workloadId: request.workloadId,
      change: request.change,
      changed,
    };
  }

  @GrpcMethod(PLANNING_SERVICE, 'allocateRelease')
  @RequirePermission('planning:read')
  async allocateRelease(
    request: planning.AllocateReleaseRequest,
  ): Promise<planning.AllocateReleaseResponse> {
    const { plan, capacity } = await this.releases.preview(request.releaseId);
    const titles = await this.queries.titles(plan.entries.map((e) => e.workloadId));
    return { plan: toProtoPlan(plan, titles), capacity: toProtoCapacity(capacity) };
  }

  @GrpcMethod(PLANNING_SERVICE, 'commitReleaseScope')
  @RequirePermission('planning:write')
  async commitReleaseScope(
    request: planning.CommitReleaseScopeRequest,
    metadata: Metadata,
  ): Promise<planning.CommitReleaseScopeResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { release, plan, warnings } = await this.releases.commitScope(request.releaseId, ctx);
    const titles = plan && (await this.queries.titles(plan.entries.map((e) => e.workloadId)));
    return {
      releaseId: request.releaseId,
      status: releaseStatusOf(release),
      ...(plan && titles ? { plan: toProtoPlan(plan, titles) } : {}),
      warnings: [...warnings],
    };
  }

  @GrpcMethod(PLANNING_SERVICE, 'requestScopeException')
  @RequirePermission('planning:approve')
  async requestScopeException(
    request: planning.RequestScopeExceptionRequest,
    metadata: Metadata,
  ): Promise<planning.RequestScopeExceptionResponse> {
    const change = scopeChangeOf(request.change);
    const { changed, release } = await this.releases.requestScopeException(
      request.releaseId,
      request.workloadId,
      change,
      { reason: request.reason, approver: request.approver },
      this.contexts.forGrpc(metadata, request.reason),
    );
    const committed = release.status === 'ScopeCommitted' ? release : undefined;
    return {
      releaseId: request.releaseId,
      workloadId: request.workloadId,
      change: request.change,
      changed,
      capacityUsed: committed ? scopeUsed(committed.scope) : 0,
      capacityTotal: committed ? committed.capacityTotal : 0,
    };
  }

  @GrpcMethod(PLANNING_SERVICE, 'requestEmergencyPatch')
  @RequirePermission('planning:approve')
  async requestEmergencyPatch(
    request: planning.RequestEmergencyPatchRequest,
    metadata: Metadata,
  ): Promise<planning.RequestEmergencyPatchResponse> {
    const { releaseId, trackId, workloadId, team, jobSize } = request;
    const data = {
      ...{ releaseId, trackId, workloadId, team, jobSize },
      ...(request.severity ? { severity: request.severity } : {}),
      ...(request.linkedIncident ? { linkedIncident: request.linkedIncident } : {}),
      ...(request.approver ? { approver: request.approver } : {}),
    };
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const release = await this.releases.requestEmergencyPatch(data, ctx);
    return { releaseId: request.releaseId, status: releaseStatusOf(release) };
  }

  @GrpcMethod(PLANNING_SERVICE, 'closeRelease')
  @RequirePermission('planning:write')
  async closeRelease(
    request: planning.CloseReleaseRequest,
    metadata: Metadata,
  ): Promise<planning.CloseReleaseResponse> {
    const completed = request.completed.map((c) => ({
      workloadId: c.workloadId,
      jobSize: c.jobSize,
    }));
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { release, closed } = await this.releases.close(request.releaseId, completed, ctx);
    return {
      releaseId: request.releaseId,
      status: releaseStatusOf(release),
      teams: closed ? toProtoTeamDeliveries(closed.teams) : [],
      notCompleted: closed ? [...closed.notCompleted] : [],
    };
  }

  @GrpcMethod(PLANNING_SERVICE, 'cancelRelease')
  @RequirePermission('planning:write')
  async cancelRelease(
    request: planning.CancelReleaseRequest,
    metadata: Metadata,
  ): Promise<planning.CancelReleaseResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { release, returned } = await this.releases.cancel(request.releaseId, ctx);
    return {
      releaseId: request.releaseId,
      status: releaseStatusOf(release),
      returnedToBacklog: [...returned],
    };
  }
}
