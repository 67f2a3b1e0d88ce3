import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Clock } from '@trainyard/kernel';
import type { MessageBus, MessageProducer } from '@trainyard/messaging';
import {
  CLOCK,
  MESSAGE_BUS,
  SERVICE_CONFIG,
  toAccessModelMessage,
  type ServiceConfig,
} from '@trainyard/platform';
import { AccessAdminUseCases, accessModelOf } from './access-admin.use-cases';

/** How often the publisher looks for changes it has not published (another replica's, a failed send). */
const RECHECK_MS = 15_000;

/**
 * Publishes the whole access model on the compacted topic (ACCESS_MODEL_TOPIC, one partition,
 * key `model`) after every applied change, and at start: the event stream is the source of
 * truth, so a send that failed (broker down) is simply repeated until the topic holds the newest
 * version. Nothing is published before the first administered change: until then every guard
 * keeps its built-in mapping.
 */
@Injectable()
export class AccessModelPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AccessModelPublisher');
  private producer?: MessageProducer;
  private published = 0;
  private running: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private topicReady?: Promise<void>;

  constructor(
    private readonly access: AccessAdminUseCases,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.producer = this.bus.producer();
    this.access.onApplied(() => this.kick());
    this.kick();
  }

  /** The version last acknowledged by the broker. */
  get publishedVersion(): number {
    return this.published;
  }

  /** Publishes the newest model if it is not on the topic yet (coalesced; never concurrent). */
  kick(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.running = this.publish()
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.warn(`access model not published yet (retrying): ${String(error)}`),
      )
      .finally(() => {
        this.busy = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.kick(), RECHECK_MS);
    this.timer.unref();
  }

  private async publish(): Promise<void> {
    const state = await this.access.state();
    if (state.version === 0 || state.version <= this.published) return;
    this.topicReady ??= this.bus
      .admin()
      .ensureTopics([
        {
          topic: this.config.ACCESS_MODEL_TOPIC,
          partitions: 1,
          config: { 'cleanup.policy': 'compact' },
        },
      ])
      .catch((error: unknown) => {
        this.topicReady = undefined;
        throw error;
      });
    await this.topicReady;
    const model = accessModelOf(state, this.clock.now());
    await this.producer!.send(this.config.ACCESS_MODEL_TOPIC, [toAccessModelMessage(model)]);
    this.published = Math.max(this.published, model.version);
    this.logger.log(`access model version ${model.version} published`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.producer?.disconnect().catch(() => undefined);
  }
}
