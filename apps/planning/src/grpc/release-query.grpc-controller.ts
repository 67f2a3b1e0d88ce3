import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { planning } from '@trainyard/grpc-contracts';
import { ValidationError } from '@trainyard/kernel';
import { RequirePermission } from '@trainyard/platform';
import type { PlanningPolicy } from '@trainyard/planning-domain';
import { PLANNING_POLICY } from '../config/planning-policy';
import { PlanningQueries } from '../application/planning.queries';
import { toProtoCapacity } from './allocation.grpc-mapping';
import { GRPC_FIELDS, PLANNING_SERVICE } from './grpc-fields';
import { fromProtoEnum, toProtoEnum, toProtoRelease } from './planning.grpc-mapping';

type ReleaseQueryRpcs = Pick<
  planning.PlanningServiceController,
  'listTracks' | 'getRelease' | 'listReleases' | 'estimateCapacity'
>;

/** The release and train read RPCs of `trainyard.planning.v1.PlanningService`. */
@Controller()
export class ReleaseQueryGrpcController implements ReleaseQueryRpcs {
  constructor(
    private readonly queries: PlanningQueries,
    @Inject(PLANNING_POLICY) private readonly policy: PlanningPolicy,
  ) {}

  @GrpcMethod(PLANNING_SERVICE, 'listTracks')
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

  @GrpcMethod(PLANNING_SERVICE, 'getRelease')
  @RequirePermission('planning:read')
  async getRelease(request: planning.GetReleaseRequest): Promise<planning.GetReleaseResponse> {
    if (!request.releaseId) throw new ValidationError('release_id', 'release_id is required');
    return { release: toProtoRelease(await this.queries.getRelease(request.releaseId)) };
  }

  @GrpcMethod(PLANNING_SERVICE, 'listReleases')
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

  @GrpcMethod(PLANNING_SERVICE, 'estimateCapacity')
  @RequirePermission('planning:read')
  async estimateCapacity(
    request: planning.EstimateCapacityRequest,
  ): Promise<planning.EstimateCapacityResponse> {
    if (!request.trainId) throw new ValidationError('train_id', 'train_id is required');
    const estimate = await this.queries.estimateCapacity(request.trainId, request.teams);
    return { trainId: request.trainId, estimate: toProtoCapacity(estimate) };
  }
}
