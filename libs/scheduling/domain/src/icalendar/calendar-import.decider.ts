import {
  assertMetadata,
  assertNonEmpty,
  RuleViolation,
  ValidationError,
  type Decider,
} from '@trainyard/kernel';
import { ZoneResolver } from '../time/zone-resolver';
import type {
  CalendarImportCommand,
  CalendarImportSource,
  RecordMaintenanceCalendarRead,
  RegisterCalendarImportSource,
} from './calendar-import.commands';
import type { CalendarImportEvent } from './calendar-import.events';
import { diffImportedCalendar, isEmptyDiff } from './imported-calendar-diff';
import type { ImportedMaintenanceWindow } from './maintenance-calendar-import';

export type CalendarImport =
  | { readonly status: 'Unregistered' }
  | {
      readonly status: 'Registered';
      readonly source: CalendarImportSource;
      readonly registeredAt: string;
      /** The windows of the last read that changed something, by UID. */
      readonly windows: readonly ImportedMaintenanceWindow[];
      readonly lastImportedAt?: string;
    };

export const initialCalendarImport = (): CalendarImport => ({ status: 'Unregistered' });

export const CALENDAR_IMPORT_SOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The id prefix of the calendar entries a source's events become. */
export const importEntryPrefix = (sourceId: string): string => `ics.${sourceId}`;

const sameSource = (a: CalendarImportSource, b: CalendarImportSource): boolean =>
  JSON.stringify([a.name, a.url ?? null, a.defaultZone, a.components]) ===
  JSON.stringify([b.name, b.url ?? null, b.defaultZone, b.components]);

export const validateImportSource = (source: CalendarImportSource): void => {
  if (typeof source.sourceId !== 'string' || !CALENDAR_IMPORT_SOURCE_ID.test(source.sourceId))
    throw new ValidationError(
      'sourceId',
      'sourceId must be 1-63 letters, digits, dots, hyphens or underscores, starting with a letter or digit.',
    );
  assertNonEmpty('name', source.name);
  if (source.name.length > 200)
    throw new ValidationError('name', 'name must be at most 200 characters.');
  ZoneResolver.for(source.defaultZone, 'defaultZone');
  const c = source.components as { from?: unknown } | undefined;
  if (!c || !['categories', 'location', 'property', 'fixed'].includes(String(c.from)))
    throw new ValidationError(
      'components.from',
      'components.from must be one of categories, location, property, fixed.',
    );
};

const register = (
  command: RegisterCalendarImportSource,
  state: CalendarImport,
): CalendarImportEvent[] => {
  assertMetadata(command.metadata);
  validateImportSource(command.data);
  if (state.status === 'Registered') {
    if (sameSource(state.source, command.data)) return [];
    throw new RuleViolation(
      'calendar-import-source-settings-fixed',
      `The import source ${command.data.sourceId} is registered with other settings; register a new source instead.`,
    );
  }
  return [
    {
      type: 'CalendarImportSourceRegistered',
      data: {
        ...command.data,
        registeredBy: command.metadata.actor,
        registeredAt: command.metadata.now,
      },
    },
  ];
};

const recordRead = (
  command: RecordMaintenanceCalendarRead,
  state: CalendarImport,
): CalendarImportEvent[] => {
  assertMetadata(command.metadata);
  if (state.status !== 'Registered')
    throw new RuleViolation(
      'calendar-import-source-registered',
      `The import source ${command.data.sourceId} is not registered.`,
    );
  const diff = diffImportedCalendar(state.windows, command.data.windows);
  if (isEmptyDiff(diff)) return [];
  return [
    {
      type: 'MaintenanceCalendarImported',
      data: {
        sourceId: state.source.sourceId,
        readAt: command.metadata.now,
        added: diff.added,
        changed: diff.changed,
        removed: diff.removed.map((w) => ({ uid: w.uid, entryId: w.definition.id })),
      },
    },
  ];
};

export const decideCalendarImport = (
  command: CalendarImportCommand,
  state: CalendarImport,
): CalendarImportEvent[] => {
  switch (command.type) {
    case 'RegisterCalendarImportSource':
      return register(command, state);
    case 'RecordMaintenanceCalendarRead':
      return recordRead(command, state);
    default: {
      const never: never = command;
      throw new Error(`unknown command ${String(never)}`);
    }
  }
};

export const evolveCalendarImport = (
  state: CalendarImport,
  event: CalendarImportEvent,
): CalendarImport => {
  switch (event.type) {
    case 'CalendarImportSourceRegistered': {
      const { sourceId, name, url, defaultZone, components } = event.data;
      const source = {
        sourceId,
        name,
        ...(url === undefined ? {} : { url }),
        defaultZone,
        components,
      };
      return { status: 'Registered', source, registeredAt: event.data.registeredAt, windows: [] };
    }
    case 'MaintenanceCalendarImported': {
      if (state.status !== 'Registered') return state;
      const byUid = new Map(state.windows.map((w) => [w.uid, w]));
      for (const w of event.data.added) byUid.set(w.uid, w);
      for (const { uid, sequence, cancelled, definition } of event.data.changed)
        byUid.set(uid, { uid, sequence, cancelled, definition });
      for (const r of event.data.removed) byUid.delete(r.uid);
      return {
        ...state,
        windows: [...byUid.values()].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0)),
        lastImportedAt: event.data.readAt,
      };
    }
    default:
      return state;
  }
};

export const calendarImportDecider: Decider<
  CalendarImport,
  CalendarImportCommand,
  CalendarImportEvent,
  undefined
> = {
  decide: (command, state) => decideCalendarImport(command, state),
  evolve: evolveCalendarImport,
  initialState: initialCalendarImport,
};
