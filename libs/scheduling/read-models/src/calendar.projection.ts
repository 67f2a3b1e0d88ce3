import { rowView, type ProjectionDefinition, type ProjectionSource } from '@trainyard/kernel';
import type { CalendarEntryEvent, ComponentEvent } from '@trainyard/scheduling-domain';
import type { CalendarEntryRow } from './calendar-entry-view.entity';
import type { ComponentRow } from './component-view.entity';

export type CalendarProjectedEvent = {
  readonly event: CalendarEntryEvent | ComponentEvent;
  readonly streamVersion: number;
  readonly actor: string;
};

/** The checkpoint's name: versioned, so a changed fold is a new projection rebuilt from the start. */
export const SCHEDULING_CALENDAR_PROJECTION = 'scheduling.calendar.v1';

export const CALENDAR_EVENT_TYPES: readonly string[] = [
  'CalendarEntryDefined',
  'CalendarEntryRevised',
  'CalendarEntryRetired',
  'ComponentDeclared',
] satisfies readonly (CalendarEntryEvent | ComponentEvent)['type'][];

export const calendarEntryKeyOf = ({ event }: CalendarProjectedEvent): string | undefined => {
  switch (event.type) {
    case 'CalendarEntryDefined':
    case 'CalendarEntryRevised':
      return event.data.definition.id;
    case 'CalendarEntryRetired':
      return event.data.entryId;
    default:
      return undefined;
  }
};

/** Pure fold of one calendar entry's events into its row. */
export const evolveCalendarEntryRow = (
  row: CalendarEntryRow | undefined,
  { event, streamVersion }: CalendarProjectedEvent,
): CalendarEntryRow | undefined => {
  switch (event.type) {
    case 'CalendarEntryDefined':
    case 'CalendarEntryRevised': {
      const { definition, sequence } = event.data;
      const [by, at] =
        event.type === 'CalendarEntryDefined'
          ? [event.data.definedBy, event.data.definedAt]
          : [event.data.revisedBy, event.data.revisedAt];
      return {
        entryId: definition.id,
        kind: definition.kind,
        name: definition.name,
        zone: definition.zone,
        definition,
        trains: [...(definition.scope.trains ?? [])],
        teams: [...(definition.scope.teams ?? [])],
        environments: [...(definition.scope.environments ?? [])],
        components: [...(definition.scope.components ?? [])],
        sequence,
        retired: false,
        retiredReason: null,
        definedBy: row?.definedBy ?? by,
        definedAt: row?.definedAt ?? at,
        updatedBy: by,
        updatedAt: at,
        version: streamVersion,
      };
    }
    case 'CalendarEntryRetired':
      return row
        ? {
            ...row,
            sequence: event.data.sequence,
            retired: true,
            retiredReason: event.data.reason,
            updatedBy: event.data.retiredBy,
            updatedAt: event.data.retiredAt,
            version: streamVersion,
          }
        : row;
    default:
      return row;
  }
};

export const componentKeyOf = ({ event }: CalendarProjectedEvent): string | undefined =>
  event.type === 'ComponentDeclared' ? event.data.componentId : undefined;

export const evolveComponentRow = (
  row: ComponentRow | undefined,
  { event, streamVersion }: CalendarProjectedEvent,
): ComponentRow | undefined =>
  event.type === 'ComponentDeclared'
    ? {
        componentId: event.data.componentId,
        parentId: event.data.parentId ?? null,
        declaredBy: event.data.declaredBy,
        declaredAt: event.data.declaredAt,
        version: streamVersion,
      }
    : row;

export const toCalendarProjectedEvent = (stored: ProjectionSource): CalendarProjectedEvent => ({
  event: { type: stored.type, data: stored.data } as CalendarEntryEvent | ComponentEvent,
  streamVersion: stored.streamVersion,
  actor: stored.metadata.actor,
});

/**
 * The calendar read model: one row per calendar entry (`calendar_entries`) and per component
 * (`components`). Both are keyed by their own stream and carry its version, so a replay is harmless.
 */
export const schedulingCalendarProjection: ProjectionDefinition<CalendarProjectedEvent> = {
  name: SCHEDULING_CALENDAR_PROJECTION,
  eventTypes: CALENDAR_EVENT_TYPES,
  toEvent: toCalendarProjectedEvent,
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<CalendarProjectedEvent, CalendarEntryRow>({
      table: 'calendar_entries',
      keyOf: calendarEntryKeyOf,
      fold: evolveCalendarEntryRow,
      versionOf: (row) => row.version,
    }),
    rowView<CalendarProjectedEvent, ComponentRow>({
      table: 'components',
      keyOf: componentKeyOf,
      fold: evolveComponentRow,
      versionOf: (row) => row.version,
    }),
  ],
};
