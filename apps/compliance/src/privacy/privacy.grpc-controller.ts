import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { compliancePrivacy } from '@trainyard/grpc-contracts';
import { parseHoldScope, type LegalHold } from '@trainyard/compliance-domain';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { PrivacyUseCases, type SubjectErasureView } from './privacy.use-cases';

export const PRIVACY_SERVICE = compliancePrivacy.PRIVACY_SERVICE_NAME;

export const toProtoHold = (hold: LegalHold): compliancePrivacy.LegalHold => ({
  holdId: hold.holdId,
  scope:
    hold.scope.kind === 'time-range'
      ? { kind: hold.scope.kind, id: '', from: hold.scope.from, to: hold.scope.to }
      : { kind: hold.scope.kind, id: hold.scope.id, from: '', to: '' },
  reason: hold.reason,
  placedBy: hold.placedBy,
  placedAt: hold.placedAt,
  releasedAt: hold.releasedAt ?? '',
  releasedBy: hold.releasedBy ?? '',
});

const toProtoErasure = (e: SubjectErasureView): compliancePrivacy.SubjectErasure => ({
  subjectId: e.subjectId,
  erasedAt: e.erasedAt,
  erasedBy: e.erasedBy,
  reason: e.reason,
  recordsAffected: e.recordsAffected,
});

/** `trainyard.compliance.v1.PrivacyService`: erasure and legal holds (issue 13 item 6). */
@Controller()
export class PrivacyGrpcController implements compliancePrivacy.PrivacyServiceController {
  constructor(
    private readonly privacy: PrivacyUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  @GrpcMethod(PRIVACY_SERVICE, 'eraseSubject')
  @RequirePermission('compliance:write')
  async eraseSubject(
    request: compliancePrivacy.EraseSubjectRequest,
    metadata: Metadata,
  ): Promise<compliancePrivacy.EraseSubjectResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    return { erasure: toProtoErasure(await this.privacy.erase(request.subjectId, ctx)) };
  }

  @GrpcMethod(PRIVACY_SERVICE, 'getSubject')
  @RequirePermission('compliance:read')
  async getSubject(
    request: compliancePrivacy.GetSubjectRequest,
  ): Promise<compliancePrivacy.GetSubjectResponse> {
    const subject = await this.privacy.subject(request.subjectId);
    return {
      subjectId: subject.subjectId,
      keyStatus: subject.keyStatus,
      ...(subject.erasure ? { erasure: toProtoErasure(subject.erasure) } : {}),
      records: subject.records,
    };
  }

  @GrpcMethod(PRIVACY_SERVICE, 'placeLegalHold')
  @RequirePermission('compliance:write')
  async placeLegalHold(
    request: compliancePrivacy.PlaceLegalHoldRequest,
    metadata: Metadata,
  ): Promise<compliancePrivacy.PlaceLegalHoldResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    const scope = parseHoldScope('scope', request.scope ?? {});
    return { hold: toProtoHold(await this.privacy.placeHold(request.holdId, scope, ctx)) };
  }

  @GrpcMethod(PRIVACY_SERVICE, 'releaseLegalHold')
  @RequirePermission('compliance:write')
  async releaseLegalHold(
    request: compliancePrivacy.ReleaseLegalHoldRequest,
    metadata: Metadata,
  ): Promise<compliancePrivacy.ReleaseLegalHoldResponse> {
    const ctx = this.contexts.forGrpc(metadata, request.reason);
    return { hold: toProtoHold(await this.privacy.releaseHold(request.holdId, ctx)) };
  }

  @GrpcMethod(PRIVACY_SERVICE, 'listLegalHolds')
  @RequirePermission('compliance:read')
  async listLegalHolds(): Promise<compliancePrivacy.ListLegalHoldsResponse> {
    return { items: (await this.privacy.holds()).map(toProtoHold) };
  }
}
