import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import type { ConsumedMessage, MessageBus, MessageConsumer } from '@trainyard/messaging';
import type { ServiceConfig } from '../config/service-config';
import { MESSAGE_BUS, PG_POOL, SERVICE_CONFIG } from '../tokens';
import { AccessAuthority } from './access-authority';
import { accessModelOf } from './access-model.message';
import { AccessModelStore } from './access-model.store';

/**
 * Keeps the service's AccessAuthority on the newest access model. At start it loads the service's
 * own copy (before any request is served), then reads the compacted topic from its beginning with
 * a consumer group of its own (every replica needs every model; compaction keeps the read short)
 * and keeps each newer model, in memory and in its table. A broker or compliance outage leaves the
 * last known model in force; a malformed message is logged and skipped, never applied. The group is
 * named after the service, host and process (see accessModelGroupId) and deleted at a graceful
 * shutdown, so process restarts leave no dead groups on the broker.
 */
@Injectable()
export class AccessModelSubscriber implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AccessModel');
  private readonly store: AccessModelStore;
  private consumer?: MessageConsumer;
  private started?: Promise<void>;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  /** Set once the consumer joined: only then is there a group to delete at shutdown. */
  private joined = false;
  readonly groupId: string;

  constructor(
    private readonly authority: AccessAuthority,
    @Inject(PG_POOL) pool: Pool,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    this.store = new AccessModelStore(pool, config.DATABASE_SCHEMA);
    this.groupId = accessModelGroupId({
      clientId: config.KAFKA_CLIENT_ID,
      service: config.service,
      host: hostname(),
      pid: process.pid,
      instance: randomBytes(3).toString('hex'),
    });
  }

  async onModuleInit(): Promise<void> {
    try {
      const kept = await this.store.load();
      if (kept && this.authority.accept(kept))
        this.logger.log(`authorising by access model version ${kept.version} (kept copy)`);
    } catch (error) {
      this.logger.warn(`could not read the kept access model: ${String(error)}`);
    }
    // Not awaited: a broker outage must not hold the service's start.
    this.started = this.subscribe();
  }

  private async subscribe(): Promise<void> {
    if (this.stopped) return;
    const topic = this.config.ACCESS_MODEL_TOPIC;
    try {
      // Whichever service starts first creates the topic, compacted (a broker that creates topics
      // on first use would make it an ordinary one); an existing topic is left as it is.
      await this.bus
        .admin()
        .ensureTopics([{ topic, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    } catch (error) {
      return this.retryLater(error);
    }
    if (this.stopped) return;
    const consumer = this.bus.consumer({
      groupId: this.groupId,
      topics: [topic],
      fromBeginning: true,
    });
    this.consumer = consumer;
    try {
      await consumer.run((message) => this.receive(message));
      this.joined = true;
    } catch (error) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      this.retryLater(error);
    }
  }

  private async receive(message: ConsumedMessage): Promise<void> {
    let model;
    try {
      model = accessModelOf(message);
    } catch (error) {
      this.logger.warn(
        `skipped an access-model message at offset ${message.offset}: ${String(error)}`,
      );
      return;
    }
    if (!this.authority.accept(model)) return;
    this.logger.log(`authorising by access model version ${model.version}`);
    // A failed write only loses the copy for a restart; the next model writes it again.
    await this.store
      .save(model)
      .catch((error: unknown) =>
        this.logger.warn(`could not keep access model ${model.version}: ${String(error)}`),
      );
  }

  private retryLater(error: unknown): void {
    if (this.stopped) return;
    this.logger.warn(`access-model topic not readable yet (${String(error)}); retrying`);
    this.retry = setTimeout(() => void (this.started = this.subscribe()), 5_000);
    this.retry.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.consumer?.disconnect().catch(() => undefined);
    // A subscription still connecting (a slow or absent broker) gives up on its own; wait a little.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.started?.catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000))),
    ]);
    clearTimeout(timer);
    await this.consumer?.disconnect().catch(() => undefined);
    if (this.joined) await this.deleteGroup();
  }

  /**
   * The group is this process's alone and useless once it left: delete it. Bounded, and a failure
   * (broker gone, the group not empty yet) is logged, never fatal: the shutdown goes on.
   */
  private async deleteGroup(): Promise<void> {
    const deadline = Date.now() + GROUP_DELETE_MS;
    let failure: unknown;
    // Right after the consumer left, the coordinator may still count it as a member: try again.
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) await sleep(GROUP_DELETE_RETRY_MS);
      try {
        await withDeadline(this.bus.admin().deleteGroups([this.groupId]), deadline);
        this.logger.log(`deleted consumer group ${this.groupId}`);
        return;
      } catch (error) {
        failure = error;
      }
    }
    this.logger.warn(`could not delete consumer group ${this.groupId}: ${String(failure)}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `work`, or a rejection once `deadline` (epoch ms) has passed. */
async function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('no answer before the shutdown deadline')),
          Math.max(0, deadline - Date.now()),
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a shutdown spends deleting the group, at most, and the pause between attempts. */
const GROUP_DELETE_MS = 5_000;
const GROUP_DELETE_RETRY_MS = 250;

/**
 * The consumer group of one process's access-model subscription: every process needs every model
 * (a broadcast), so each has a group of its own, named so an operator listing the broker's groups
 * sees whose it is: `<client id>.access-model.<service>.<host>.<pid>.<instance>`. The instance
 * part keeps two subscriptions of one process apart (tests start a service twice in one process).
 */
export const accessModelGroupId = (owner: {
  readonly clientId: string;
  readonly service: string;
  readonly host: string;
  readonly pid: number;
  readonly instance: string;
}): string =>
  [owner.clientId, 'access-model', owner.service, owner.host, owner.pid, owner.instance].join('.');
