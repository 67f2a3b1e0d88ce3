import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { pools } from '@trainyard/grpc-contracts';
import { NotFoundError } from '@trainyard/kernel';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { PoolQueries, type PoolStatusView, type TeamShareView } from './pool.queries';
import { PoolUseCases } from './pool.use-cases';

export const POOL_SERVICE = 'PoolService';

const toProtoStatus = (s: PoolStatusView): pools.PoolStatus => ({
  pool: {
    key: s.pool.poolKey,
    slots: s.pool.slots,
    highLoadReservations: s.pool.highLoadReservations.map((r) => ({ ...r })),
    description: s.pool.description ?? '',
  },
  held: s.held,
  holders: s.holders,
  utilisation: s.utilisation,
  reservedNow: s.reservedNow,
  updatedBy: s.pool.updatedBy,
  updatedAt: s.pool.updatedAt,
});
const toProtoShare = (t: TeamShareView): pools.TeamShare => ({ ...t });

/** `trainyard.scheduling.v1.PoolService`: pools, their utilisation, team weights and shares. */
@Controller()
export class PoolsGrpcController implements pools.PoolServiceController {
  constructor(
    private readonly useCases: PoolUseCases,
    private readonly queries: PoolQueries,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(POOL_SERVICE, 'putPool')
  @RequirePermission('scheduling:calendar:write')
  async putPool(request: pools.PutPoolRequest, metadata: Metadata): Promise<pools.PutPoolResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    // proto3 gives '' for an absent description and [] for absent reservations; grpc-js gives
    // null for an absent message.
    const input =
      request.pool === undefined || request.pool === null
        ? undefined
        : {
            ...request.pool,
            description: request.pool.description === '' ? undefined : request.pool.description,
          };
    const { key, changed } = await this.useCases.putPool(input, ctx);
    const status = (await this.queries.listPools(ctx.now)).find((p) => p.pool.poolKey === key);
    if (!status) throw new NotFoundError('pool', key);
    return { pool: toProtoStatus(status), changed };
  }

  @GrpcMethod(POOL_SERVICE, 'listPools')
  @RequirePermission('scheduling:read')
  async listPools(): Promise<pools.ListPoolsResponse> {
    return { pools: (await this.queries.listPools(this.contexts.now())).map(toProtoStatus) };
  }

  @GrpcMethod(POOL_SERVICE, 'getFairness')
  @RequirePermission('scheduling:read')
  async getFairness(): Promise<pools.GetFairnessResponse> {
    const view = await this.queries.fairness(this.contexts.now());
    return {
      teams: view.teams.map(toProtoShare),
      defaultWeight: view.defaultWeight,
      highLoadPeriods: view.highLoadPeriods.map((p) => ({
        calendarEntryId: p.calendarEntryId,
        name: p.name,
        start: p.start,
        end: p.end,
      })),
    };
  }

  @GrpcMethod(POOL_SERVICE, 'putTeamWeight')
  @RequirePermission('scheduling:calendar:write')
  async putTeamWeight(
    request: pools.PutTeamWeightRequest,
    metadata: Metadata,
  ): Promise<pools.PutTeamWeightResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { team, changed } = await this.useCases.putTeamWeight(request.team, request.weight, ctx);
    return { team: toProtoShare(await this.queries.team(team)), changed };
  }
}
