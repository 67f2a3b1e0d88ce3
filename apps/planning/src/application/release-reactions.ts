import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { EventStore, StoredEvent } from '@trainyard/event-store';
import {
  Reactor,
  type MessagingLogger,
  type ReactionOutcome,
  type ReactorOptions,
} from '@trainyard/messaging';
import { EVENT_STORE, PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import {
  RELEASE_TO_WORKLOAD_EVENT_TYPES,
  reactToReleaseForWorkloads,
  workloadReactionDecider,
  type PlanningPolicy,
  type ReleaseEvent,
  type WorkloadCommand,
} from '@trainyard/planning-domain';
import type { Pool } from 'pg';
import { PLANNING_POLICY } from '../config/planning-policy';
import { PlanningReadSide } from '../projections/planning-read-side';
import { workloadStream } from './planning-streams';

export const RELEASE_REACTOR_NAME = 'planning.release-to-workload';

const messagingLogger = (logger: Logger): MessagingLogger => ({
  error: (context, message) => logger.error(`${message} ${JSON.stringify(context)}`),
  warn: (context, message) => logger.warn(`${message} ${JSON.stringify(context)}`),
  info: (context, message) => logger.log(`${message} ${JSON.stringify(context)}`),
  debug: (context, message) => logger.debug(`${message} ${JSON.stringify(context)}`),
});

/** The shared reactor running planning's release → workload reactions on the workload streams. */
export const createReleaseReactor = (
  options: Pick<
    ReactorOptions<ReleaseEvent, WorkloadCommand>,
    'pool' | 'store' | 'schema' | 'onAppended' | 'logger'
  > &
    Partial<ReactorOptions<ReleaseEvent, WorkloadCommand>> & { readonly policy: PlanningPolicy },
): Reactor<ReleaseEvent, WorkloadCommand> => {
  const { policy, ...rest } = options;
  return new Reactor<ReleaseEvent, WorkloadCommand>({
    name: RELEASE_REACTOR_NAME,
    types: RELEASE_TO_WORKLOAD_EVENT_TYPES,
    react: reactToReleaseForWorkloads,
    route: (command) => ({
      streamId: workloadStream(command.data.workloadId),
      decider: workloadReactionDecider,
      context: { policy },
    }),
    ...rest,
  });
};

/**
 * The release → workload consequences, run by the shared reactor: in the background on the store
 * subscription (durable: a crash between the release append and the workload appends converges
 * when any instance runs again), and inline by the use case that appended the release event, so
 * the caller's answer already shows them.
 */
@Injectable()
export class ReleaseReactions implements OnModuleInit, OnModuleDestroy {
  readonly reactor: Reactor<ReleaseEvent, WorkloadCommand>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(PLANNING_POLICY) policy: PlanningPolicy,
    readSide: PlanningReadSide,
  ) {
    this.reactor = createReleaseReactor({
      pool,
      store,
      schema: config.DATABASE_SCHEMA,
      policy,
      onAppended: (result) =>
        readSide.recordWrite({
          transactionId: result.transactionId,
          position: result.lastPosition,
        }),
      logger: messagingLogger(new Logger('ReleaseReactions')),
    });
  }

  onModuleInit(): void {
    this.reactor.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.reactor.stop();
  }

  /** Reacts now to events this process just appended. */
  react(events: readonly StoredEvent[]): Promise<ReactionOutcome[]> {
    return this.reactor.handle(events);
  }
}
