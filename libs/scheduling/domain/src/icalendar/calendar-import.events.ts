import type { DomainEvent } from '@trainyard/kernel';
import type { CalendarImportSource } from './calendar-import.commands';
import type { ImportedMaintenanceWindow } from './maintenance-calendar-import';

export type CalendarImportSourceRegistered = DomainEvent<
  'CalendarImportSourceRegistered',
  CalendarImportSource & { readonly registeredBy: string; readonly registeredAt: string }
>;

/**
 * A read of the source that changed something, with the difference only: new windows, windows
 * whose definition changed (with the SEQUENCE they had), and the UIDs removed or cancelled.
 */
export type MaintenanceCalendarImported = DomainEvent<
  'MaintenanceCalendarImported',
  {
    readonly sourceId: string;
    readonly readAt: string;
    readonly added: readonly ImportedMaintenanceWindow[];
    readonly changed: readonly (ImportedMaintenanceWindow & {
      readonly previousSequence: number;
    })[];
    readonly removed: readonly { readonly uid: string; readonly entryId: string }[];
  }
>;

export type CalendarImportEvent = CalendarImportSourceRegistered | MaintenanceCalendarImported;
