import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import {
  announceAppends,
  appendInTransaction,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import {
  assertReviewWorkloadId,
  reviewDecider,
  type Facts,
  type Trigger,
} from '@trainyard/compliance-domain';
import { ValidationError } from '@trainyard/kernel';
import {
  IdempotentConsumer,
  type InboxEvent,
  type MessageBus,
  type ParsedCloudEvent,
} from '@trainyard/messaging';
import {
  CommandContexts,
  EVENT_STORE,
  MESSAGE_BUS,
  PG_POOL,
  SERVICE_CONFIG,
} from '@trainyard/platform';
import type { ReleaseScopeCommittedV1, WorkloadRegisteredV1 } from '@trainyard/planning-contracts';
import type { ComplianceConfig } from '../config/compliance-settings';
import { batchCommand, decideBatch, type BatchCommand } from '../application/batch-commands';
import { EvaluationUseCases, type EvaluationRequest } from '../application/evaluation.use-cases';
import { ReviewUseCases, reviewStream } from '../application/review.use-cases';
import { reviewCommandOf } from './review-planning-events';

/**
 * What a planning event asks compliance to evaluate: its payload is the facts. Only the planning
 * contracts are read (never planning's domain); versions other than 1 are not understood.
 */
export const evaluationRequestOf = (
  event: ParsedCloudEvent,
): Omit<EvaluationRequest, 'cause'> | undefined => {
  // Planning's events only (`dev.trainyard.planning.*`), in the version this code knows.
  if (!event.type.startsWith('dev.trainyard.planning.')) return undefined;
  if (event.schemaVersion !== 1 || event.data === null || typeof event.data !== 'object')
    return undefined;
  switch (event.eventType) {
    case 'WorkloadRegistered': {
      const data = event.data as WorkloadRegisteredV1;
      if (typeof data.workloadId !== 'string') return undefined;
      return facts('workload', data.workloadId, 'workload-registered', data);
    }
    case 'ReleaseScopeCommitted': {
      const data = event.data as ReleaseScopeCommittedV1;
      if (typeof data.releaseId !== 'string') return undefined;
      return facts('release', data.releaseId, 'scope-committed', data);
    }
    default:
      return undefined;
  }
};

const facts = (
  type: string,
  id: string,
  trigger: Trigger,
  data: object,
): Omit<EvaluationRequest, 'cause'> => ({
  subject: { type, id },
  trigger,
  facts: data as Facts,
});

/**
 * Evaluates the active policies when a workload is registered or a release scope committed, and
 * opens the reviews planning events ask for. Through the inbox (once per event id); evaluation ids
 * derive from the event id, so even a replay past the inbox records nothing twice.
 *
 * A fetched batch at a time (issue 13's throughput): the active bundles are read once per batch,
 * every command of the batch decided on streams read once, and all their events appended together
 * with the batch's inbox rows in one transaction (one commit instead of one per event and policy).
 * A batch that fails is handled again one message at a time, so a poison message is retried and
 * dead-lettered alone.
 */
@Injectable()
export class PlanningEventsConsumer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PlanningEventsConsumer');
  private consumer?: IdempotentConsumer;
  private started?: Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ComplianceConfig,
    private readonly evaluations: EvaluationUseCases,
    private readonly contexts: CommandContexts,
    private readonly reviews: ReviewUseCases,
  ) {}

  onModuleInit(): void {
    this.consumer = new IdempotentConsumer({
      pool: this.pool,
      bus: this.bus,
      schema: this.config.DATABASE_SCHEMA,
      groupId: `${this.config.DATABASE_SCHEMA}.planning-evaluations`,
      // Planning's topic unless told another (tests use their own).
      topics: [this.config.COMPLIANCE_PLANNING_TOPIC],
      inboxRetentionDays: this.config.MESSAGING_INBOX_RETENTION_DAYS,
      // Each batch holds a connection of the service's pool for its transaction and reads streams
      // on others: at least two stay free for those reads and the service's commands.
      partitionsConsumedConcurrently: Math.max(
        1,
        Math.min(
          this.config.COMPLIANCE_PLANNING_PARTITIONS_CONCURRENTLY,
          (this.pool.options.max ?? 10) - 2,
        ),
      ),
      batchHandler: (items, tx) => this.handleBatch(items, tx),
      logger: {
        error: (c, m) => this.logger.error(`${m} ${JSON.stringify(c)}`),
        warn: (c, m) => this.logger.warn(`${m} ${JSON.stringify(c)}`),
        info: () => undefined,
        debug: () => undefined,
      },
    });
    // Not awaited: a broker outage must not hold the service's start; the consumer retries.
    this.started = this.consumer.start().catch((error: unknown) => {
      this.logger.warn(`planning events consumer did not start: ${String(error)}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    // Let a start in progress finish (so its consumer is the one stopped), but never wait on a
    // broker that does not answer: shutdown goes on after 5 s.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.started,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000))),
    ]);
    clearTimeout(timer);
    await this.consumer?.stop();
  }

  get stats() {
    return this.consumer?.stats;
  }

  private async handleBatch(
    items: readonly InboxEvent[],
    tx: PoolClient,
  ): Promise<(() => Promise<void>) | undefined> {
    const bundles = await this.evaluations.activeBundles();
    const commands = items.flatMap(({ event }) => this.commandsFor(event, bundles));
    const appends = await decideBatch(this.store, commands);
    if (appends.length === 0) return undefined;
    await appendInTransaction(tx, this.store.schema, appends);
    // After COMMIT: wake the projections and relays of every instance.
    return () => announceAppends(this.pool, this.store.schema);
  }

  /** The review and the evaluations one planning event asks for. */
  private commandsFor(
    event: ParsedCloudEvent,
    bundles: Parameters<EvaluationUseCases['evaluationCommands']>[1],
  ): BatchCommand[] {
    const ctx: CommandContext = {
      actor: 'compliance',
      correlationId: event.correlationId ?? event.id,
      causationId: event.id,
      now: this.contexts.now(),
    };
    const commands: BatchCommand[] = [];
    // Reviews (issue 13 item 3): regulated workloads and emergency patches open reviews. An event
    // this context cannot read (a malformed id) opens nothing rather than blocking the partition.
    const review = reviewCommandOf(event, this.reviews, ctx);
    if (review) {
      try {
        const streamId = reviewStream(assertReviewWorkloadId(review.data.workloadId));
        commands.push(batchCommand(streamId, reviewDecider, review, undefined, ctx, true));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
      }
    }
    const request = evaluationRequestOf(event);
    if (request)
      commands.push(
        ...this.evaluations.evaluationCommands(
          { ...request, cause: { eventId: event.id, eventType: event.eventType ?? event.type } },
          bundles,
          ctx,
        ),
      );
    return commands;
  }
}
