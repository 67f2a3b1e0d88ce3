import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { EventStore, StoredEvent } from '@trainyard/event-store';
import { Reactor, type MessagingLogger, type ReactionOutcome } from '@trainyard/messaging';
import { EVENT_STORE, PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import {
  CALENDAR_IMPORT_TO_CALENDAR_ENTRY_EVENT_TYPES,
  calendarEntryDecider,
  reactToMaintenanceCalendarImported,
  type CalendarEntryCommand,
  type CalendarImportEvent,
} from '@trainyard/scheduling-domain';
import type { Pool } from 'pg';
import { calendarEntryStream } from '../application/calendar-streams';

export const CALENDAR_IMPORT_REACTOR_NAME = 'scheduling.calendar-import-to-calendar-entry';

const messagingLogger = (logger: Logger): MessagingLogger => ({
  error: (context, message) => logger.error(`${message} ${JSON.stringify(context)}`),
  warn: (context, message) => logger.warn(`${message} ${JSON.stringify(context)}`),
  info: (context, message) => logger.log(`${message} ${JSON.stringify(context)}`),
  debug: (context, message) => logger.debug(`${message} ${JSON.stringify(context)}`),
});

const entryIdOf = (command: CalendarEntryCommand): string =>
  command.type === 'RetireCalendarEntry' ? command.data.entryId : command.data.definition.id;

/**
 * MaintenanceCalendarImported → calendar-entry commands, on the shared reactor: inline right after
 * the import's append (the caller's answer shows the entries) and in the background on the store
 * subscription, so a crash between the two appends converges. A refusal (an entry retired before
 * cannot be defined again) is logged with its rule; the import event stays the record.
 */
@Injectable()
export class CalendarImportReactions implements OnModuleInit, OnModuleDestroy {
  readonly reactor: Reactor<CalendarImportEvent, CalendarEntryCommand>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) pool: Pool,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.reactor = new Reactor<CalendarImportEvent, CalendarEntryCommand>({
      name: CALENDAR_IMPORT_REACTOR_NAME,
      pool,
      store,
      schema: config.DATABASE_SCHEMA,
      types: CALENDAR_IMPORT_TO_CALENDAR_ENTRY_EVENT_TYPES,
      react: reactToMaintenanceCalendarImported,
      route: (command) => ({
        streamId: calendarEntryStream(entryIdOf(command)),
        decider: calendarEntryDecider,
        context: {},
      }),
      logger: messagingLogger(new Logger('CalendarImportReactions')),
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
