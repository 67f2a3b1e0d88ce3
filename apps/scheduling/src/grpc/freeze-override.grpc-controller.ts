import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { freezeOverride } from '@trainyard/grpc-contracts';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import type { OverrideReviewOutcome } from '@trainyard/scheduling-domain';
import { FreezeOverrideUseCases } from '../application/freeze-override.use-cases';
import { OverrideQueries, type QueryFieldNames } from '../application/override.queries';
import { scopeFromProto, toProtoOverride, toProtoReview } from './freeze-override.grpc-mapping';

export const FREEZE_OVERRIDE_SERVICE = 'FreezeOverrideService';

const GRPC_FIELDS: QueryFieldNames = { status: 'status', page: 'page', pageSize: 'page_size' };

/** 0 (proto3's "not given") is the default. */
const given = (value: number): number | undefined => (value === 0 ? undefined : value);

type Changed = { overrideId: string; changed: boolean };

/** `trainyard.scheduling.v1.FreezeOverrideService`: every method with its own permission. */
@Controller()
export class FreezeOverrideGrpcController
  implements freezeOverride.FreezeOverrideServiceController
{
  constructor(
    private readonly overrides: FreezeOverrideUseCases,
    private readonly queries: OverrideQueries,
    private readonly contexts: CommandContexts,
  ) {}

  private async answer({ overrideId, changed }: Changed) {
    return {
      override: toProtoOverride(await this.queries.getOverride(overrideId), this.contexts.now()),
      changed,
    };
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'requestFreezeOverride')
  @RequirePermission('scheduling:override:request')
  async requestFreezeOverride(
    request: freezeOverride.RequestFreezeOverrideRequest,
    metadata: Metadata,
  ): Promise<freezeOverride.RequestFreezeOverrideResponse> {
    const { changed } = await this.overrides.handle(
      'RequestFreezeOverride',
      {
        overrideId: request.overrideId,
        freezeId: request.freezeId,
        scope: scopeFromProto(request.scope),
        from: request.from,
        to: request.to,
        reason: request.reason,
      },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return this.answer({ overrideId: request.overrideId, changed });
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'approveFreezeOverride')
  @RequirePermission('scheduling:override:approve')
  async approveFreezeOverride(
    request: freezeOverride.ApproveFreezeOverrideRequest,
    metadata: Metadata,
  ): Promise<freezeOverride.ApproveFreezeOverrideResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { changed } = await this.overrides.handle(
      'ApproveFreezeOverride',
      { overrideId: request.overrideId },
      ctx,
    );
    return this.answer({ overrideId: request.overrideId, changed });
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'rejectFreezeOverride')
  @RequirePermission('scheduling:override:approve')
  async rejectFreezeOverride(
    request: freezeOverride.RejectFreezeOverrideRequest,
    metadata: Metadata,
  ): Promise<freezeOverride.RejectFreezeOverrideResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { changed } = await this.overrides.handle(
      'RejectFreezeOverride',
      { overrideId: request.overrideId },
      ctx,
    );
    return this.answer({ overrideId: request.overrideId, changed });
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'revokeFreezeOverride')
  @RequirePermission('scheduling:override:approve')
  async revokeFreezeOverride(
    request: freezeOverride.RevokeFreezeOverrideRequest,
    metadata: Metadata,
  ): Promise<freezeOverride.RevokeFreezeOverrideResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const { changed } = await this.overrides.handle(
      'RevokeFreezeOverride',
      { overrideId: request.overrideId },
      ctx,
    );
    return this.answer({ overrideId: request.overrideId, changed });
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'recordFreezeOverrideUse')
  @RequirePermission('scheduling:write')
  async recordFreezeOverrideUse(
    request: freezeOverride.RecordFreezeOverrideUseRequest,
    metadata: Metadata,
  ): Promise<freezeOverride.RecordFreezeOverrideUseResponse> {
    const { changed } = await this.overrides.handle(
      'RecordFreezeOverrideUse',
      {
        overrideId: request.overrideId,
        deploymentId: request.deploymentId,
        start: request.start,
        end: request.end,
        scope: scopeFromProto(request.scope),
      },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return this.answer({ overrideId: request.overrideId, changed });
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'closeOverrideReview')
  @RequirePermission('scheduling:override:review')
  async closeOverrideReview(
    request: freezeOverride.CloseOverrideReviewRequest,
    metadata: Metadata,
  ): Promise<freezeOverride.CloseOverrideReviewResponse> {
    const { changed } = await this.overrides.handle(
      'CloseOverrideReview',
      {
        overrideId: request.overrideId,
        // The domain refuses an outcome it does not know, naming the field.
        outcome: request.outcome as OverrideReviewOutcome,
        notes: request.notes,
      },
      this.contexts.forGrpc(metadata, request.notes),
    );
    const review = await this.queries.getReview(request.overrideId);
    return { review: toProtoReview(review, this.contexts.now()), changed };
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'getFreezeOverride')
  @RequirePermission('scheduling:read')
  async getFreezeOverride(
    request: freezeOverride.GetFreezeOverrideRequest,
  ): Promise<freezeOverride.GetFreezeOverrideResponse> {
    return this.answer({ overrideId: request.overrideId, changed: false });
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'listFreezeOverrides')
  @RequirePermission('scheduling:read')
  async listFreezeOverrides(
    request: freezeOverride.ListFreezeOverridesRequest,
  ): Promise<freezeOverride.ListFreezeOverridesResponse> {
    const page = await this.queries.listOverrides(
      {
        status: request.status,
        freezeId: request.freezeId,
        page: given(request.page),
        pageSize: given(request.pageSize),
      },
      GRPC_FIELDS,
    );
    const now = this.contexts.now();
    return { ...page, items: page.items.map((row) => toProtoOverride(row, now)) };
  }

  @GrpcMethod(FREEZE_OVERRIDE_SERVICE, 'listOverrideReviews')
  @RequirePermission('scheduling:read')
  async listOverrideReviews(
    request: freezeOverride.ListOverrideReviewsRequest,
  ): Promise<freezeOverride.ListOverrideReviewsResponse> {
    const page = await this.queries.listReviews(
      { status: request.status, page: given(request.page), pageSize: given(request.pageSize) },
      GRPC_FIELDS,
    );
    const now = this.contexts.now();
    return { ...page, items: page.items.map((row) => toProtoReview(row, now)) };
  }
}
