import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import type { Facts, Trigger } from '@trainyard/compliance-domain';
import { IdempotentConsumer, type MessageBus, type ParsedCloudEvent } from '@trainyard/messaging';
import {
  CommandContexts,
  MESSAGE_BUS,
  PG_POOL,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '@trainyard/platform';
import {
  PLANNING_EVENTS_TOPIC,
  type ReleaseScopeCommittedV1,
  type WorkloadRegisteredV1,
} from '@trainyard/planning-contracts';
import { EvaluationUseCases, type EvaluationRequest } from '../application/evaluation.use-cases';
import { ReviewUseCases } from '../application/review.use-cases';
import { reviewCommandOf } from './review-planning-events';

/** The topic can be overridden (tests use their own); production reads planning's. */
export const planningEventsTopic = (): string =>
  process.env.COMPLIANCE_PLANNING_TOPIC ?? PLANNING_EVENTS_TOPIC;

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
 * Evaluates the active policies when a workload is registered or a release scope committed.
 * Through the inbox (once per event id); evaluation ids derive from the event id, so even a
 * replay past the inbox records nothing twice.
 */
@Injectable()
export class PlanningEventsConsumer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PlanningEventsConsumer');
  private consumer?: IdempotentConsumer;
  private started?: Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
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
      topics: [planningEventsTopic()],
      handler: (event) => this.handle(event),
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

  private async handle(event: ParsedCloudEvent): Promise<void> {
    // Reviews (issue 13 item 3): regulated workloads and emergency patches open reviews.
    await reviewCommandOf(event, this.reviews, {
      actor: 'compliance',
      correlationId: event.correlationId ?? event.id,
      causationId: event.id,
      now: this.contexts.now(),
    });
    const request = evaluationRequestOf(event);
    if (!request) return;
    await this.evaluations.evaluate(
      { ...request, cause: { eventId: event.id, eventType: event.eventType ?? event.type } },
      {
        actor: 'compliance',
        correlationId: event.correlationId ?? event.id,
        causationId: event.id,
        now: this.contexts.now(),
      },
    );
  }
}
