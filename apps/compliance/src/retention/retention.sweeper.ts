import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import type { CommandContext } from '@trainyard/event-store';
import type { Clock } from '@trainyard/kernel';
import { CLOCK, PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { verifyRecordArchives } from './record-archives.verify';
import { RetentionSweep, type RetentionSweepReport } from './retention-sweep';
import { retentionSettingsFromEnv, type RetentionSettings } from './retention-settings';

export const RETENTION_SWEEPER_ACTOR = 'compliance-retention-sweeper';

/**
 * Runs the retention sweep every `COMPLIANCE_RETENTION_SWEEP_MS` (by the injected CLOCK) and on
 * request. Passes in this process never overlap; across processes an advisory lock serialises them.
 */
@Injectable()
export class RetentionSweeper implements OnModuleInit, OnModuleDestroy {
  readonly settings: RetentionSettings;
  private readonly sweep: RetentionSweep;
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionSweepReport>;
  private readonly logger = new Logger('RetentionSweeper');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.settings = retentionSettingsFromEnv(config.DATABASE_SCHEMA);
    this.sweep = new RetentionSweep(pool, config.DATABASE_SCHEMA, this.settings);
  }

  onModuleInit(): void {
    if (this.settings.sweepIntervalMs === 0) return;
    this.timer = setInterval(() => {
      void this.run({
        actor: RETENTION_SWEEPER_ACTOR,
        correlationId: randomUUID(),
        reason: 'retention period ended',
        now: this.clock.now(),
      }).catch((error: unknown) => this.logger.warn(`retention sweep failed: ${String(error)}`));
    }, this.settings.sweepIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass (on request: the caller's context; `now` from the CLOCK). */
  run(ctx: CommandContext): Promise<RetentionSweepReport> {
    this.running ??= this.sweep.run(ctx).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  verifyArchives() {
    return verifyRecordArchives(this.pool, this.config.DATABASE_SCHEMA, this.settings.archiveDir);
  }
}
