import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { complianceLedger } from '@trainyard/grpc-contracts';
import { RequirePermission } from '@trainyard/platform';
import { LedgerQueries, type LedgerEntry } from './ledger.queries';

export const LEDGER_SERVICE = 'LedgerService';

const toProtoEntry = (entry: LedgerEntry): complianceLedger.LedgerEntry => ({
  eventId: entry.eventId,
  topic: entry.topic,
  source: entry.source,
  sourceService: entry.sourceService,
  type: entry.type,
  eventType: entry.eventType,
  trailKind: entry.trailKind,
  subject: entry.subject ?? '',
  occurredAt: entry.occurredAt,
  actor: entry.actor ?? '',
  ceActor: entry.ceActor ?? '',
  correlationId: entry.correlationId ?? '',
  causationId: entry.causationId ?? '',
  controls: [...entry.controls],
  links: entry.links.map((link) => ({ kind: link.kind, id: link.id })),
  dataJson: entry.data === null || entry.data === undefined ? '' : JSON.stringify(entry.data),
  recordedAt: entry.recordedAt,
});

const optional = (value: string): string | undefined => (value === '' ? undefined : value);

/** `trainyard.compliance.v1.LedgerService`. */
@Controller()
export class LedgerGrpcController implements complianceLedger.LedgerServiceController {
  constructor(private readonly queries: LedgerQueries) {}

  @GrpcMethod(LEDGER_SERVICE, 'queryLedger')
  @RequirePermission('compliance:read')
  async queryLedger(
    request: complianceLedger.QueryLedgerRequest,
  ): Promise<complianceLedger.QueryLedgerResponse> {
    const page = await this.queries.query({
      workload: optional(request.workload),
      release: optional(request.release),
      actor: optional(request.actor),
      control: optional(request.control),
      from: optional(request.from),
      to: optional(request.to),
      ...(request.page !== 0 ? { page: request.page } : {}),
      ...(request.pageSize !== 0 ? { pageSize: request.pageSize } : {}),
    });
    return {
      entries: page.items.map(toProtoEntry),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }

  @GrpcMethod(LEDGER_SERVICE, 'getWorkloadTrail')
  @RequirePermission('compliance:read')
  async getWorkloadTrail(
    request: complianceLedger.GetWorkloadTrailRequest,
  ): Promise<complianceLedger.GetWorkloadTrailResponse> {
    const trail = await this.queries.workloadTrail(request.workloadId);
    return {
      workloadId: trail.workloadId,
      total: trail.total,
      truncated: trail.truncated,
      linked: trail.linked.map((link) => ({ kind: link.kind, id: link.id })),
      groups: trail.groups.map((group) => ({
        kind: group.kind,
        entries: group.items.map(toProtoEntry),
      })),
    };
  }
}
