import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { compliance } from '@trainyard/grpc-contracts';
import type { Facts, Trigger } from '@trainyard/compliance-domain';
import { CommandContexts, RequirePermission } from '@trainyard/platform';
import { ComplianceQueries } from '../application/compliance.queries';
import { EvaluationUseCases } from '../application/evaluation.use-cases';
import { PolicyUseCases } from '../application/policy.use-cases';
import {
  COMPLIANCE_SERVICE,
  fromProtoProposal,
  parseFacts,
  rowOfRecord,
  toProtoEvaluation,
  toProtoPolicy,
} from './compliance.grpc-mapping';

/** `trainyard.compliance.v1.ComplianceService`. */
@Controller()
export class ComplianceGrpcController implements compliance.ComplianceServiceController {
  constructor(
    private readonly policies: PolicyUseCases,
    private readonly evaluations: EvaluationUseCases,
    private readonly queries: ComplianceQueries,
    private readonly contexts: CommandContexts,
  ) {}

  private async policyAnswer(policyId: string, changed: boolean) {
    const { policy, versions } = await this.queries.policy(policyId);
    return { policy: toProtoPolicy(policy, versions), changed };
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'proposePolicyBundle')
  @RequirePermission('compliance:policy:write')
  async proposePolicyBundle(
    request: compliance.ProposePolicyBundleRequest,
    metadata: Metadata,
  ): Promise<compliance.ProposePolicyBundleResponse> {
    const { changed } = await this.policies.propose(
      fromProtoProposal(request),
      this.contexts.forGrpc(metadata, request.reason),
    );
    return this.policyAnswer(request.policyId, changed);
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'approvePolicyBundle')
  @RequirePermission('compliance:policy:approve')
  async approvePolicyBundle(
    request: compliance.ApprovePolicyBundleRequest,
    metadata: Metadata,
  ): Promise<compliance.ApprovePolicyBundleResponse> {
    const { changed } = await this.policies.approve(
      { policyId: request.policyId, version: request.version },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return this.policyAnswer(request.policyId, changed);
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'rejectPolicyBundle')
  @RequirePermission('compliance:policy:approve')
  async rejectPolicyBundle(
    request: compliance.RejectPolicyBundleRequest,
    metadata: Metadata,
  ): Promise<compliance.RejectPolicyBundleResponse> {
    const { changed } = await this.policies.reject(
      { policyId: request.policyId, version: request.version },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return this.policyAnswer(request.policyId, changed);
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'getPolicyBundle')
  @RequirePermission('compliance:read')
  async getPolicyBundle(
    request: compliance.GetPolicyBundleRequest,
  ): Promise<compliance.GetPolicyBundleResponse> {
    const { policy, versions } = await this.queries.policy(request.policyId);
    return { policy: toProtoPolicy(policy, versions) };
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'listPolicyBundles')
  @RequirePermission('compliance:read')
  async listPolicyBundles(
    request: compliance.ListPolicyBundlesRequest,
  ): Promise<compliance.ListPolicyBundlesResponse> {
    const page = await this.queries.policies({
      ...(request.page ? { page: request.page } : {}),
      ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    });
    return {
      policies: page.items.map((p) => toProtoPolicy(p)),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'evaluate')
  @RequirePermission('compliance:evaluate')
  async evaluate(
    request: compliance.EvaluateRequest,
    metadata: Metadata,
  ): Promise<compliance.EvaluateResponse> {
    const facts = parseFacts('factsJson', request.factsJson);
    const recorded = await this.evaluations.evaluate(
      {
        subject: { type: request.subjectType, id: request.subjectId },
        trigger: (request.trigger || 'on-request') as Trigger,
        facts: facts as Facts,
        ...(request.policyId ? { policyId: request.policyId } : {}),
      },
      this.contexts.forGrpc(metadata, request.reason),
    );
    return { evaluations: recorded.map((r) => toProtoEvaluation(rowOfRecord(r))) };
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'getEvaluation')
  @RequirePermission('compliance:read')
  async getEvaluation(
    request: compliance.GetEvaluationRequest,
  ): Promise<compliance.GetEvaluationResponse> {
    return { evaluation: toProtoEvaluation(await this.queries.evaluation(request.evaluationId)) };
  }

  @GrpcMethod(COMPLIANCE_SERVICE, 'replayEvaluation')
  @RequirePermission('compliance:read')
  async replayEvaluation(
    request: compliance.ReplayEvaluationRequest,
  ): Promise<compliance.ReplayEvaluationResponse> {
    const { row, replay } = await this.evaluations.replay(request.evaluationId);
    return {
      equal: replay.equal,
      original: toProtoEvaluation(row),
      replayed: toProtoEvaluation({
        ...row,
        bundleVersion: replay.replayed.bundleVersion,
        evaluatorVersion: replay.replayed.evaluatorVersion,
        result: replay.replayed.result,
        explanation: replay.replayed.rules,
      }),
      differences: [...replay.differences],
    };
  }
}
