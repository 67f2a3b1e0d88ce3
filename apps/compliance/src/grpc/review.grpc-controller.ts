import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { complianceReview } from '@trainyard/grpc-contracts';
import { RuleViolation } from '@trainyard/kernel';
import { REVIEW_ROLE_NOT_ALLOWED_RULE } from '@trainyard/compliance-domain';
import type { ReviewRow } from '@trainyard/compliance-read-models';
import { CommandContexts, principalOf, RequirePermission } from '@trainyard/platform';
import { ReviewUseCases } from '../application/review.use-cases';

export const REVIEW_SERVICE = complianceReview.REVIEW_SERVICE_NAME;

export const toProtoReview = (row: ReviewRow): complianceReview.WorkloadReview => ({
  workloadId: row.workloadId,
  kind: row.kind,
  status: row.status,
  title: row.title ?? '',
  author: row.author,
  dataClasses: [...row.dataClasses],
  policyVersion: row.policyVersion,
  requiredSignOffs: row.requiredSignOffs,
  allowedRoles: [...row.allowedRoles],
  signOffs: row.signOffs.map((s) => ({ ...s })),
  ...(row.lastDeployment
    ? {
        lastDeployment: {
          deployer: row.lastDeployment.deployer,
          allowed: row.lastDeployment.allowed,
          rule: row.lastDeployment.rule ?? '',
          reason: row.lastDeployment.reason ?? '',
          decidedAt: row.lastDeployment.decidedAt,
        },
      }
    : {}),
  releaseId: row.releaseId ?? '',
  dueAt: row.dueAt ?? '',
  findings: row.findings ?? '',
  closedBy: row.closedBy ?? '',
  openedAt: row.openedAt,
  updatedAt: row.updatedAt,
});

/** `trainyard.compliance.v1.ReviewService`. */
@Controller()
export class ReviewGrpcController implements complianceReview.ReviewServiceController {
  constructor(
    private readonly reviews: ReviewUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  private async one(workloadId: string, kind: ReviewRow['kind']) {
    const rows = await this.reviews.reviewsOf(workloadId);
    const row = rows.find((r) => r.kind === kind) ?? rows[0];
    return row ? toProtoReview(row) : undefined;
  }

  @GrpcMethod(REVIEW_SERVICE, 'signOffChange')
  @RequirePermission('compliance:approve')
  async signOffChange(
    request: complianceReview.SignOffChangeRequest,
    metadata: Metadata,
  ): Promise<complianceReview.SignOffChangeResponse> {
    // A signer signs in a role they hold (the policy then says whether it may sign).
    if (request.role && !principalOf(metadata).roles.includes(request.role))
      throw new RuleViolation(
        REVIEW_ROLE_NOT_ALLOWED_RULE,
        `The caller does not hold the role ${request.role.slice(0, 64)} it signs in.`,
      );
    const { events } = await this.reviews.signOff(
      { workloadId: request.workloadId, role: request.role },
      this.contexts.forGrpc(metadata, request.reason),
    );
    const review = await this.one(request.workloadId, 'change');
    return { ...(review ? { review } : {}), changed: events.length > 0 };
  }

  @GrpcMethod(REVIEW_SERVICE, 'checkDeploymentAllowed')
  @RequirePermission('compliance:evaluate')
  async checkDeploymentAllowed(
    request: complianceReview.CheckDeploymentAllowedRequest,
    metadata: Metadata,
  ): Promise<complianceReview.CheckDeploymentAllowedResponse> {
    const answer = await this.reviews.checkDeployment(
      { workloadId: request.workloadId, deployer: request.deployer },
      this.contexts.forGrpc(metadata),
    );
    return { allowed: answer.allowed, rule: answer.rule ?? '', reason: answer.reason ?? '' };
  }

  @GrpcMethod(REVIEW_SERVICE, 'closeRetrospectiveReview')
  @RequirePermission('compliance:approve')
  async closeRetrospectiveReview(
    request: complianceReview.CloseRetrospectiveReviewRequest,
    metadata: Metadata,
  ): Promise<complianceReview.CloseRetrospectiveReviewResponse> {
    const { events } = await this.reviews.closeRetrospective(
      { workloadId: request.workloadId, findings: request.findings },
      this.contexts.forGrpc(metadata),
    );
    const review = await this.one(request.workloadId, 'retrospective');
    return { ...(review ? { review } : {}), changed: events.length > 0 };
  }

  @GrpcMethod(REVIEW_SERVICE, 'getChangeReview')
  @RequirePermission('compliance:read')
  async getChangeReview(
    request: complianceReview.GetChangeReviewRequest,
  ): Promise<complianceReview.GetChangeReviewResponse> {
    return { reviews: (await this.reviews.reviewsOf(request.workloadId)).map(toProtoReview) };
  }

  @GrpcMethod(REVIEW_SERVICE, 'listReviews')
  @RequirePermission('compliance:read')
  async listReviews(
    request: complianceReview.ListReviewsRequest,
  ): Promise<complianceReview.ListReviewsResponse> {
    const page = await this.reviews.list({
      ...(request.status ? { status: request.status } : {}),
      ...(request.kind ? { kind: request.kind } : {}),
      ...(request.page ? { page: request.page } : {}),
      ...(request.pageSize ? { pageSize: request.pageSize } : {}),
    });
    return {
      items: page.items.map(toProtoReview),
      page: page.page,
      pageSize: page.pageSize,
      total: page.total,
    };
  }
}
