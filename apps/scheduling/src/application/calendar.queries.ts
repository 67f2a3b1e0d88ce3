import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import {
  CALENDAR_ENTRY_KINDS,
  ZoneResolver,
  createComponentTree,
  expandOccurrences,
  parseRangeBound,
  type CalendarEntryDefinition,
  type CalendarEntryKind,
  type CalendarOccurrence,
  type ComponentTree,
  type RangeBound,
} from '@trainyard/scheduling-domain';
import {
  CalendarEntryView,
  ComponentView,
  type CalendarEntryRow,
  type ComponentRow,
} from '@trainyard/scheduling-read-models';
import { In } from 'typeorm';
import { SchedulingReadSide } from '../projections/scheduling-read-side';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface CalendarEntryFilter {
  /** Kinds to list; empty = every kind. */
  readonly kinds: readonly CalendarEntryKind[];
  readonly train?: string;
  readonly team?: string;
  readonly environment?: string;
  readonly component?: string;
  readonly includeRetired?: boolean;
  readonly page?: number;
  readonly pageSize?: number;
}

export const paging = (request: {
  page?: number;
  pageSize?: number;
}): { page: number; pageSize: number } => {
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1 || page > 1_000_000)
    throw new ValidationError('page', 'page must be a whole number from 1 to 1000000.');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError(
      'pageSize',
      `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
    );
  return { page, pageSize };
};

export const calendarKind = (field: string, value: string): CalendarEntryKind => {
  if (!(CALENDAR_ENTRY_KINDS as readonly string[]).includes(value))
    throw new ValidationError(
      field,
      `${field} must be one of ${CALENDAR_ENTRY_KINDS.join(', ')}; got ${value.slice(0, 60)}.`,
    );
  return value as CalendarEntryKind;
};

/** Calendar read-model queries shared by the gRPC and REST adapters. */
@Injectable()
export class CalendarQueries {
  constructor(private readonly readSide: SchedulingReadSide) {}

  private get manager() {
    return this.readSide.dataSource.manager;
  }

  async findEntry(entryId: string): Promise<CalendarEntryRow | undefined> {
    await this.readSide.catchUp();
    return (await this.manager.findOneBy(CalendarEntryView, { entryId })) ?? undefined;
  }

  async getEntry(entryId: string): Promise<CalendarEntryRow> {
    const row = await this.findEntry(entryId);
    if (!row) throw new NotFoundError('calendar entry', entryId);
    return row;
  }

  /** Kinds of the given entries (the decider checks holiday references against them). */
  async kindsOf(entryIds: readonly string[]): Promise<ReadonlyMap<string, CalendarEntryKind>> {
    if (entryIds.length === 0) return new Map();
    await this.readSide.catchUp();
    const rows = await this.manager.findBy(CalendarEntryView, {
      entryId: In([...entryIds]),
      retired: false,
    });
    return new Map(rows.map((r) => [r.entryId, r.kind]));
  }

  async listEntries(filter: CalendarEntryFilter): Promise<Page<CalendarEntryRow>> {
    const { page, pageSize } = paging(filter);
    const query = this.manager
      .createQueryBuilder(CalendarEntryView, 'e')
      .orderBy('e.entry_id', 'ASC')
      .skip((page - 1) * pageSize)
      .take(pageSize);
    if (filter.kinds.length > 0) query.andWhere('e.kind IN (:...kinds)', { kinds: filter.kinds });
    if (!filter.includeRetired) query.andWhere('e.retired = false');
    // An empty scope list = every value; a filter value must be listed otherwise.
    const dimensions = [
      ['trains', filter.train],
      ['teams', filter.team],
      ['environments', filter.environment],
      ['components', filter.component],
    ] as const;
    for (const [column, value] of dimensions)
      if (value)
        query.andWhere(`(jsonb_array_length(e.${column}) = 0 OR e.${column} ? :${column})`, {
          [column]: value,
        });
    await this.readSide.catchUp();
    const [items, total] = await query.getManyAndCount();
    return { items, page, pageSize, total };
  }

  async listComponents(request: { page?: number; pageSize?: number }): Promise<Page<ComponentRow>> {
    const { page, pageSize } = paging(request);
    await this.readSide.catchUp();
    const [items, total] = await this.manager.findAndCount(ComponentView, {
      order: { componentId: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  async findComponent(componentId: string): Promise<ComponentRow | undefined> {
    await this.readSide.catchUp();
    return (await this.manager.findOneBy(ComponentView, { componentId })) ?? undefined;
  }

  /** Every declared component and its parent: what the component decider refuses cycles against. */
  async componentTree(): Promise<ComponentTree> {
    await this.readSide.catchUp();
    const rows = await this.manager.find(ComponentView);
    return createComponentTree(rows.map((r) => [r.componentId, r.parentId ?? undefined]));
  }

  /**
   * Occurrences of one entry starting in [from, to): bounds are RFC 3339 instants or local dates
   * `YYYY-MM-DD` in the entry's zone (`to` included as a whole day). Referenced holidays that are
   * retired no longer apply.
   */
  async occurrences(entryId: string, from: string, to: string): Promise<CalendarOccurrence[]> {
    const fromBound = parseRangeBound('from', from);
    const toBound = parseRangeBound('to', to);
    const row = await this.getEntry(entryId);
    const refs = row.definition.holidayRefs ?? [];
    const holidays = new Map<string, CalendarEntryDefinition>();
    if (refs.length > 0) {
      const rows = await this.manager.findBy(CalendarEntryView, {
        entryId: In([...refs]),
        retired: false,
      });
      for (const h of rows) if (h.kind === 'holiday') holidays.set(h.entryId, h.definition);
    }
    const definition: CalendarEntryDefinition = {
      ...row.definition,
      ...(refs.length > 0 ? { holidayRefs: refs.filter((r) => holidays.has(r)) } : {}),
    };
    const resolver = ZoneResolver.for(definition.zone);
    return expandOccurrences(
      definition,
      boundMs(resolver, fromBound, 0),
      boundMs(resolver, toBound, 1),
      { holidays },
    );
  }
}

/** An instant as given, or the start of a local date (plus `dayOffset` days) in the entry's zone. */
const boundMs = (resolver: ZoneResolver, bound: RangeBound, dayOffset: number): number => {
  if (bound.kind === 'instant') return bound.epochMs;
  const out: number[] = [];
  resolver.resolveLocal((bound.days + dayOffset) * DAY_MS, { gap: 'shift', overlap: 'first' }, out);
  return out[0] ?? (bound.days + dayOffset) * DAY_MS;
};
