import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Clock } from '@trainyard/kernel';
import { CLOCK, SERVICE_CONFIG } from '@trainyard/platform';
import type { ComplianceConfig } from '../config/compliance-settings';
import { ReviewUseCases } from './review.use-cases';

export const REVIEW_SWEEPER_ACTOR = 'compliance-review-sweeper';

/**
 * Records RetrospectiveReviewOverdue (a finding) for retrospective reviews past due, by the
 * injected CLOCK. Safe with several instances: the decider records the finding once per review.
 */
@Injectable()
export class ReviewOverdueSweeper implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly logger = new Logger('ReviewOverdueSweeper');

  constructor(
    private readonly reviews: ReviewUseCases,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ComplianceConfig,
  ) {}

  onModuleInit(): void {
    // COMPLIANCE_REVIEW_SWEEP_MS; 0 turns the timer off (`sweep()` still works).
    const interval = this.config.COMPLIANCE_REVIEW_SWEEP_MS;
    if (interval === 0) return;
    this.timer = setInterval(() => {
      void this.sweep().catch((error: unknown) =>
        this.logger.warn(`retrospective review sweep failed: ${String(error)}`),
      );
    }, interval);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; resolves how many reviews it marked overdue. Passes never overlap. */
  sweep(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const now = this.clock.now();
    let marked = 0;
    for (const workloadId of await this.reviews.overdueCandidates(now)) {
      const { events } = await this.reviews.markOverdue(workloadId, {
        actor: REVIEW_SWEEPER_ACTOR,
        correlationId: randomUUID(),
        now,
      });
      marked += events.length;
    }
    return marked;
  }
}
