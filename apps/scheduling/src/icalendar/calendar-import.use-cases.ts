import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  loadStream,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { NotFoundError, RuleViolation, ValidationError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import {
  calendarImportDecider,
  importEntryPrefix,
  parseMaintenanceCalendar,
  validateImportSource,
  type CalendarImport,
  type CalendarImportSource,
  type ImportedMaintenanceWindow,
  type MaintenanceCalendarImported,
} from '@trainyard/scheduling-domain';
import { assertAllowedUrl, CalendarSourceFetcher } from './calendar-source-fetcher';
import { CalendarImportReactions } from './calendar-import.reactions';
import { ICALENDAR_CONFIG, type ICalendarConfig } from './icalendar.config';

export const calendarImportStream = (sourceId: string): string => `calendar-import-${sourceId}`;

/** What a read of a source did: the numbers of windows added, changed and removed. */
export interface CalendarImportResult {
  readonly source: CalendarImportSource;
  readonly registeredAt: string;
  readonly windows: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly lastImportedAt?: string;
}

/** Register a source, read posted content, re-read a URL; the diff is the only thing recorded. */
@Injectable()
export class CalendarImportUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ICALENDAR_CONFIG) private readonly config: ICalendarConfig,
    private readonly fetcher: CalendarSourceFetcher,
    private readonly reactions: CalendarImportReactions,
  ) {}

  /**
   * Registers a source and, for a URL, reads it at once. The URL is checked against the allowlist
   * and the calendar read and parsed before anything is written: a refusal writes nothing.
   */
  async register(source: CalendarImportSource, ctx: CommandContext): Promise<CalendarImportResult> {
    validateImportSource(source);
    const url =
      source.url === undefined ? undefined : assertAllowedUrl(source.url, this.config.allowedUrls);
    const normalized = { ...source, ...(url === undefined ? {} : { url }) };
    const windows =
      url === undefined ? undefined : this.parse(normalized, await this.fetcher.fetch(url));
    await handleCommand(
      this.store,
      calendarImportStream(source.sourceId),
      calendarImportDecider,
      { type: 'RegisterCalendarImportSource', data: normalized, metadata: commandMetadata(ctx) },
      ctx,
      { context: undefined, expectNew: true },
    );
    return windows === undefined
      ? this.summary(source.sourceId)
      : this.record(source.sourceId, windows, ctx);
  }

  /** Reads calendar content posted for a registered source. */
  async importContent(
    sourceId: string,
    content: string,
    ctx: CommandContext,
  ): Promise<CalendarImportResult> {
    const state = await this.registered(sourceId);
    if (Buffer.byteLength(content, 'utf8') > this.config.maxBytes)
      throw new ValidationError(
        'content',
        `content must be at most ${this.config.maxBytes} bytes.`,
      );
    return this.record(sourceId, this.parse(state.source, content), ctx);
  }

  /** Re-reads a URL source now (the scheduler calls this too). */
  async refresh(sourceId: string, ctx: CommandContext): Promise<CalendarImportResult> {
    const state = await this.registered(sourceId);
    if (state.source.url === undefined)
      throw new RuleViolation(
        'calendar-import-source-has-url',
        `The import source ${sourceId} has no URL; post its content instead.`,
      );
    const content = await this.fetcher.fetch(state.source.url);
    return this.record(sourceId, this.parse(state.source, content), ctx);
  }

  /** Every registered source, by id, with what it holds. */
  async list(): Promise<CalendarImportResult[]> {
    const ids = new Set<string>();
    let after;
    for (;;) {
      const read = await this.store.readAll({
        ...(after ? { after } : {}),
        types: ['CalendarImportSourceRegistered'],
      });
      for (const event of read.events) ids.add((event.data as CalendarImportSource).sourceId);
      after = read.checkpoint;
      if (read.isEnd) break;
    }
    const results = await Promise.all([...ids].sort().map((id) => this.summary(id)));
    return results;
  }

  private parse(source: CalendarImportSource, content: string): ImportedMaintenanceWindow[] {
    return parseMaintenanceCalendar(content, {
      defaultZone: source.defaultZone,
      components: source.components,
      idPrefix: importEntryPrefix(source.sourceId),
    });
  }

  private async record(
    sourceId: string,
    windows: readonly ImportedMaintenanceWindow[],
    ctx: CommandContext,
  ): Promise<CalendarImportResult> {
    const handled = await handleCommand(
      this.store,
      calendarImportStream(sourceId),
      calendarImportDecider,
      {
        type: 'RecordMaintenanceCalendarRead',
        data: { sourceId, windows },
        metadata: commandMetadata(ctx),
      },
      ctx,
      { context: undefined },
    );
    const imported = handled.events.find(
      (e): e is MaintenanceCalendarImported => e.type === 'MaintenanceCalendarImported',
    );
    if (imported) {
      // The calendar entries follow now; the reactor's background run makes it durable.
      const stored = await this.store.readStream(handled.streamId, {
        fromVersion: handled.loadedVersion + 1,
      });
      const ours = new Set(handled.eventIds);
      await this.reactions.react(stored.filter((e) => ours.has(e.metadata.eventId)));
    }
    return this.resultOf(handled.state, imported);
  }

  private async registered(sourceId: string) {
    const { state } = await loadStream(
      this.store,
      calendarImportStream(sourceId),
      calendarImportDecider,
    );
    if (state.status !== 'Registered') throw new NotFoundError('calendar import source', sourceId);
    return state;
  }

  private async summary(sourceId: string): Promise<CalendarImportResult> {
    return this.resultOf(await this.registered(sourceId), undefined);
  }

  private resultOf(
    state: CalendarImport,
    imported: MaintenanceCalendarImported | undefined,
  ): CalendarImportResult {
    if (state.status !== 'Registered') throw new Error('calendar import source not registered');
    return {
      source: state.source,
      registeredAt: state.registeredAt,
      windows: state.windows.length,
      added: imported?.data.added.length ?? 0,
      changed: imported?.data.changed.length ?? 0,
      removed: imported?.data.removed.length ?? 0,
      ...(state.lastImportedAt ? { lastImportedAt: state.lastImportedAt } : {}),
    };
  }
}
