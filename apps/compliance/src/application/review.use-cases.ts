import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  type AppendResult,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import {
  assertReviewWorkloadId,
  DEFAULT_SIGN_OFF_POLICY,
  isRegulatedDataClass,
  reviewDecider,
  type Review,
  type ReviewCommand,
  type ReviewEvent,
  type SignOffPolicy,
} from '@trainyard/compliance-domain';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import { ReviewView, type ReviewRow } from '@trainyard/compliance-read-models';
import type {
  EmergencyPatchScheduledV1,
  WorkloadRegisteredV1,
} from '@trainyard/planning-contracts';
import { ComplianceReadSide } from '../projections/compliance-read-side';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from './compliance.queries';

/** One stream per workload: its change review and its retrospective review. */
export const reviewStream = (workloadId: string): string => `review-${workloadId}`;

export const REVIEW_KINDS = ['change', 'retrospective'] as const;
export const REVIEW_STATUSES = ['Open', 'Approved', 'Overdue', 'Closed'] as const;

export interface ReviewFilter {
  readonly status?: string;
  readonly kind?: string;
  readonly page?: number;
  readonly pageSize?: number;
}

export interface DeploymentAnswer {
  readonly allowed: boolean;
  readonly rule?: string;
  readonly reason?: string;
}

/** Reviews and sign-offs (issue 13 item 3): commands on the review stream, and its read model. */
@Injectable()
export class ReviewUseCases {
  /** The sign-off policy in force; versioned data (a later change ships a new version). */
  readonly policy: SignOffPolicy = DEFAULT_SIGN_OFF_POLICY;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: ComplianceReadSide,
  ) {}

  /**
   * From planning's WorkloadRegistered: `regulatedData` (pii, financial, health) says whether the
   * change touches regulated data; none means no review. The author is `registeredBy`.
   */
  openChangeReview(event: WorkloadRegisteredV1, ctx: CommandContext) {
    const command = this.changeReviewCommand(event, ctx);
    return command ? this.handle(command, ctx) : Promise.resolve(undefined);
  }

  /** The OpenChangeReview a registered workload asks for, or undefined (no regulated data). */
  changeReviewCommand(event: WorkloadRegisteredV1, ctx: CommandContext): ReviewCommand | undefined {
    const dataClasses = (Array.isArray(event.regulatedData) ? event.regulatedData : []).filter(
      isRegulatedDataClass,
    );
    if (dataClasses.length === 0) return undefined;
    return {
      type: 'OpenChangeReview',
      data: {
        workloadId: event.workloadId,
        title: event.title,
        author: event.registeredBy,
        dataClasses,
        policy: this.policy,
      },
      metadata: commandMetadata(ctx),
    };
  }

  openRetrospectiveReview(event: EmergencyPatchScheduledV1, ctx: CommandContext) {
    return this.handle(this.retrospectiveReviewCommand(event, ctx), ctx);
  }

  /** The OpenRetrospectiveReview an emergency patch asks for. */
  retrospectiveReviewCommand(event: EmergencyPatchScheduledV1, ctx: CommandContext): ReviewCommand {
    return {
      type: 'OpenRetrospectiveReview',
      data: {
        workloadId: event.workloadId,
        releaseId: event.releaseId,
        requestedBy: event.requestedBy,
        scheduledAt: event.scheduledAt,
        policy: this.policy,
      },
      metadata: commandMetadata(ctx),
    };
  }

  signOff(data: { workloadId: string; role: string }, ctx: CommandContext) {
    return this.handle({ type: 'SignOffChange', data, metadata: commandMetadata(ctx) }, ctx);
  }

  async checkDeployment(
    data: { workloadId: string; deployer: string },
    ctx: CommandContext,
  ): Promise<DeploymentAnswer> {
    const { events } = await this.handle(
      { type: 'CheckDeploymentAllowed', data, metadata: commandMetadata(ctx) },
      ctx,
    );
    const decision = events[0];
    if (decision?.type === 'DeploymentRefused')
      return { allowed: false, rule: decision.data.rule, reason: decision.data.reason };
    return { allowed: true };
  }

  closeRetrospective(data: { workloadId: string; findings: string }, ctx: CommandContext) {
    return this.handle(
      { type: 'CloseRetrospectiveReview', data, metadata: commandMetadata(ctx) },
      ctx,
    );
  }

  markOverdue(workloadId: string, ctx: CommandContext) {
    return this.handle(
      {
        type: 'MarkRetrospectiveReviewOverdue',
        data: { workloadId },
        metadata: commandMetadata(ctx),
      },
      ctx,
    );
  }

  private async handle(
    command: ReviewCommand,
    ctx: CommandContext,
  ): Promise<{ review: Review; events: readonly ReviewEvent[] }> {
    const workloadId = assertReviewWorkloadId(command.data.workloadId);
    const handled = await handleCommand(
      this.store,
      reviewStream(workloadId),
      reviewDecider,
      command,
      ctx,
      {
        context: undefined,
        onAppended: (result: AppendResult) =>
          this.readSide.recordWrite({
            transactionId: result.transactionId,
            position: result.lastPosition,
          }),
      },
    );
    return { review: handled.state, events: handled.events };
  }

  // --- queries ---------------------------------------------------------------------------------

  async reviewsOf(workloadId: string): Promise<ReviewRow[]> {
    const id = assertReviewWorkloadId(workloadId);
    await this.readSide.catchUp();
    const rows = await this.readSide.dataSource
      .getRepository(ReviewView)
      .find({ where: { workloadId: id }, order: { kind: 'ASC' } });
    if (rows.length === 0) throw new NotFoundError('review', id);
    return rows;
  }

  async list(filter: ReviewFilter): Promise<Page<ReviewRow>> {
    const page = filter.page ?? 1;
    const pageSize = filter.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isSafeInteger(page) || page < 1)
      throw new ValidationError('page', 'page must be a whole number from 1.');
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      throw new ValidationError(
        'pageSize',
        `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
      );
    if (
      filter.status !== undefined &&
      !(REVIEW_STATUSES as readonly string[]).includes(filter.status)
    )
      throw new ValidationError('status', `status must be one of ${REVIEW_STATUSES.join(', ')}.`);
    if (filter.kind !== undefined && !(REVIEW_KINDS as readonly string[]).includes(filter.kind))
      throw new ValidationError('kind', `kind must be one of ${REVIEW_KINDS.join(', ')}.`);
    await this.readSide.catchUp();
    const [items, total] = await this.readSide.dataSource.getRepository(ReviewView).findAndCount({
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.kind ? { kind: filter.kind as ReviewRow['kind'] } : {}),
      },
      order: { openedAt: 'DESC', workloadId: 'ASC', kind: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  /** Open retrospective reviews due at or before `now` (the sweeper's candidates). */
  async overdueCandidates(now: string): Promise<string[]> {
    const rows = await this.readSide.dataSource
      .getRepository(ReviewView)
      .createQueryBuilder('r')
      .select('r.workloadId', 'workloadId')
      .where("r.kind = 'retrospective' AND r.status = 'Open' AND r.due_at < :now", { now })
      .orderBy('r.due_at', 'ASC')
      .limit(500)
      .getRawMany<{ workloadId: string }>();
    return rows.map((r) => r.workloadId);
  }
}
