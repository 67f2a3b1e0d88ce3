import type { Command } from '@trainyard/kernel';
import type {
  ComponentMappingRule,
  ImportedMaintenanceWindow,
} from './maintenance-calendar-import';

/** Where an imported maintenance calendar comes from and how its events are read. */
export interface CalendarImportSource {
  /** Letters, digits, `.`, `_`, `-`; the stream is `calendar-import-<sourceId>`. */
  readonly sourceId: string;
  readonly name: string;
  /** An allowlisted http(s) URL re-read on a schedule; absent = content posted by hand. */
  readonly url?: string;
  readonly defaultZone: string;
  readonly components: ComponentMappingRule;
}

/** Registers an import source (the same settings again: nothing to do). */
export type RegisterCalendarImportSource = Command<
  'RegisterCalendarImportSource',
  CalendarImportSource
>;

/** Records one read of the source: the windows as parsed now; only their difference becomes an event. */
export type RecordMaintenanceCalendarRead = Command<
  'RecordMaintenanceCalendarRead',
  { readonly sourceId: string; readonly windows: readonly ImportedMaintenanceWindow[] }
>;

export type CalendarImportCommand = RegisterCalendarImportSource | RecordMaintenanceCalendarRead;
