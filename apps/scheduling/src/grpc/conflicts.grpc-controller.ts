import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { conflicts } from '@trainyard/grpc-contracts';
import { RequirePermission } from '@trainyard/platform';
import { ConflictQueries, type ConflictFieldNames } from '../application/conflicts.queries';

/** The gRPC service this controller serves. */
export const CONFLICT_SERVICE = 'ConflictService';

const GRPC_FIELDS: ConflictFieldNames = {
  components: 'components',
  from: 'from',
  to: 'to',
  owner: 'owner',
  train: 'train',
  team: 'team',
  environment: 'environment',
  page: 'page',
  pageSize: 'page_size',
};

/** `ListConflicts`: every conflict of a proposed change with the calendar; stores nothing. */
@Controller()
export class ConflictsGrpcController implements conflicts.ConflictServiceController {
  constructor(private readonly queries: ConflictQueries) {}

  @GrpcMethod(CONFLICT_SERVICE, 'listConflicts')
  @RequirePermission('scheduling:read')
  async listConflicts(
    request: conflicts.ListConflictsRequest,
  ): Promise<conflicts.ListConflictsResponse> {
    const page = await this.queries.listConflicts(
      {
        components: request.components,
        from: request.from,
        to: request.to,
        owner: request.owner === '' ? undefined : request.owner,
        train: request.train,
        team: request.team,
        environment: request.environment,
        page: request.page === 0 ? undefined : request.page,
        pageSize: request.pageSize === 0 ? undefined : request.pageSize,
      },
      GRPC_FIELDS,
    );
    return {
      items: page.items.map((c) => ({
        rule: c.rule,
        start: c.start,
        end: c.end,
        party: {
          kind: c.party.kind,
          id: c.party.id ?? '',
          component: c.party.component ?? '',
          resource: c.party.resource ?? '',
          owner: c.party.owner ?? '',
          bookingId: c.party.bookingId ?? '',
          deploymentId: c.party.deploymentId ?? '',
          freezeId: c.party.freezeId ?? '',
          team: c.party.team ?? '',
          zone: c.party.zone ?? '',
        },
      })),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }
}
