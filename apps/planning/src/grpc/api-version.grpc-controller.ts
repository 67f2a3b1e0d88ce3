import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { planning } from '@trainyard/grpc-contracts';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { PlanningQueries } from '../application/planning.queries';
import { ApiVersionUseCases } from '../application/use-cases/api-version.use-cases';
import { PLANNING_SERVICE } from './grpc-fields';
import { toProtoApiVersion, toProtoDeprecationFlag } from './planning.grpc-mapping';

type ApiVersionRpcs = Pick<
  planning.PlanningServiceController,
  'deprecateApiVersion' | 'listApiDeprecations'
>;

/** The API-version lifecycle RPCs of `trainyard.planning.v1.PlanningService`. */
@Controller()
export class ApiVersionGrpcController implements ApiVersionRpcs {
  constructor(
    private readonly apiVersions: ApiVersionUseCases,
    private readonly queries: PlanningQueries,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(PLANNING_SERVICE, 'deprecateApiVersion')
  @RequirePermission('planning:write')
  async deprecateApiVersion(
    request: planning.DeprecateApiVersionRequest,
    metadata: Metadata,
  ): Promise<planning.DeprecateApiVersionResponse> {
    const { lifecycle, changed } = await this.apiVersions.deprecate(
      {
        api: request.api,
        version: request.version,
        deprecatedAt: request.deprecatedAt,
        ...(request.sunsetAt ? { sunsetAt: request.sunsetAt } : {}),
      },
      this.contexts.forGrpc(metadata, request.reason),
    );
    if (lifecycle.status !== 'Deprecated') throw new Error('deprecation recorded no timeline');
    const row = await this.queries.apiVersion(lifecycle.api, lifecycle.version);
    return { lifecycle: toProtoApiVersion(row), changed };
  }

  @GrpcMethod(PLANNING_SERVICE, 'listApiDeprecations')
  @RequirePermission('planning:read')
  async listApiDeprecations(
    request: planning.ListApiDeprecationsRequest,
  ): Promise<planning.ListApiDeprecationsResponse> {
    const { versions, flags } = await this.queries.apiDeprecations(
      request.api || undefined,
      this.contexts.now(),
    );
    return { versions: versions.map(toProtoApiVersion), flags: flags.map(toProtoDeprecationFlag) };
  }
}
