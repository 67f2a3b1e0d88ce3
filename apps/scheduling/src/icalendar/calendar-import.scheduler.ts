import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Clock } from '@trainyard/kernel';
import { CLOCK } from '@trainyard/platform';
import { CalendarImportUseCases } from './calendar-import.use-cases';
import { ICALENDAR_CONFIG, type ICalendarConfig } from './icalendar.config';

export const CALENDAR_IMPORT_ACTOR = 'scheduling:calendar-import';

/**
 * Re-reads every URL source once per `SCHEDULING_ICAL_IMPORT_INTERVAL_MS`, by the injected clock:
 * a timer wakes it a few times per interval and `tick()` re-reads the sources that are due (one
 * interval after their registration or their last scheduled read, in this process). A
 * source that cannot be read is logged and tried again next time; the others go on.
 */
@Injectable()
export class CalendarImportScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CalendarImportScheduler');
  private readonly lastRead = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly imports: CalendarImportUseCases,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ICALENDAR_CONFIG) private readonly config: ICalendarConfig,
  ) {}

  onModuleInit(): void {
    const wake = Math.max(1_000, Math.min(60_000, Math.floor(this.config.intervalMs / 4)));
    this.timer = setInterval(() => void this.tick(), wake);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Re-reads the URL sources that are due; one run at a time. */
  tick(): Promise<void> {
    this.running ??= this.readDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async readDue(): Promise<void> {
    const now = this.clock.now();
    const nowMs = Date.parse(now);
    let sources;
    try {
      sources = await this.imports.list();
    } catch (error) {
      this.logger.warn(`could not list calendar import sources: ${String(error)}`);
      return;
    }
    for (const { source, registeredAt } of sources) {
      if (source.url === undefined) continue;
      // Registration reads the source; the next read is one interval after the last one.
      const last = this.lastRead.get(source.sourceId) ?? Date.parse(registeredAt);
      if (nowMs - last < this.config.intervalMs) continue;
      this.lastRead.set(source.sourceId, nowMs);
      try {
        const result = await this.imports.refresh(source.sourceId, {
          actor: CALENDAR_IMPORT_ACTOR,
          correlationId: randomUUID(),
          reason: 'scheduled re-read of the calendar import source',
          now,
        });
        if (result.added + result.changed + result.removed > 0)
          this.logger.log(
            `re-read ${source.sourceId}: ${result.added} added, ${result.changed} changed, ${result.removed} removed`,
          );
      } catch (error) {
        this.logger.warn(
          `could not re-read ${source.sourceId}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
