import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { IdempotentConsumer, type MessageBus, type ParsedCloudEvent } from '@trainyard/messaging';
import { CLOCK, MESSAGE_BUS, PG_POOL, SERVICE_CONFIG } from '@trainyard/platform';
import { DomainError, type Clock } from '@trainyard/kernel';
import type { ReleaseScopeCommittedV1 } from '@trainyard/planning-contracts';
import type { PlaceReleaseScopeData } from '@trainyard/scheduling-domain';
import { DeploymentPlanUseCases } from '../application/deployment-plan.use-cases';
import type { SchedulingConfig } from '../config/scheduling-settings';

export const RELEASE_SCOPE_COMMITTED_V1 = 'dev.trainyard.planning.ReleaseScopeCommitted.v1';

/** Planning's contract → the command's data; only what placement needs is copied. */
export const placeReleaseScopeOf = (data: ReleaseScopeCommittedV1): PlaceReleaseScopeData => ({
  releaseId: data.releaseId,
  trainId: data.trainId,
  workloads: data.workloads.map((w) => ({
    workloadId: w.workloadId,
    team: w.team,
    jobSize: w.jobSize,
    changeType: w.changeType,
  })),
  deploymentOrder: data.deploymentOrder.map((o) => ({ workloadId: o.workloadId, wave: o.wave })),
  committedAt: data.committedAt,
});

/**
 * Consumes planning's integration events (its contract, never its domain) and places every
 * committed release scope. The inbox records each CloudEvent id once per group; the command
 * carries the event id as its causation, so a redelivery after a crash between the append and
 * the inbox commit decides nothing twice (handleCommand's oncePerCausation). Other planning
 * event types are acknowledged and ignored. The group is per service schema, so each scheduling
 * deployment (and each test schema) reads the topic on its own.
 */
@Injectable()
export class PlanningEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: IdempotentConsumer;
  private readonly logger = new Logger('PlanningEventsConsumer');

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_CONFIG) config: SchedulingConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly plans: DeploymentPlanUseCases,
  ) {
    this.consumer = new IdempotentConsumer({
      pool,
      bus,
      schema: config.DATABASE_SCHEMA,
      groupId: `trainyard.scheduling.${config.DATABASE_SCHEMA}.planning-events`,
      topics: [config.SCHEDULING_PLANNING_TOPIC],
      inboxRetentionDays: config.MESSAGING_INBOX_RETENTION_DAYS,
      maxAttempts: 3,
      handler: (event) => this.handle(event),
    });
  }

  private async handle(event: ParsedCloudEvent): Promise<void> {
    if (event.type !== RELEASE_SCOPE_COMMITTED_V1) return;
    const data = event.data as ReleaseScopeCommittedV1;
    try {
      await this.place(event, data);
    } catch (error) {
      // A scope the domain refuses is refused again on every retry: log it and move on.
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`release scope ${String(data?.releaseId)} not placed: ${error.message}`);
    }
  }

  private async place(event: ParsedCloudEvent, data: ReleaseScopeCommittedV1): Promise<void> {
    const answer = await this.plans.placeReleaseScope(placeReleaseScopeOf(data), {
      actor: event.actor ?? data.committedBy,
      correlationId: event.correlationId ?? event.id,
      causationId: event.id,
      reason: `release scope ${data.releaseId} committed in planning`,
      ...(event.trace ? { trace: event.trace } : {}),
      now: this.clock.now(),
    });
    const [decided] = answer.events;
    if (decided?.type === 'DeploymentPlacementFailed')
      this.logger.warn(`release ${data.releaseId} cannot be placed: ${decided.data.reason}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.stop();
  }
}
