export { parseCron, cronMatchesDay, type CronSchedule } from './cron/cron-expression';
export {
  GAP_POLICIES,
  OVERLAP_POLICIES,
  resolveDstPolicy,
  type DstPolicy,
  type GapPolicy,
  type OverlapPolicy,
} from './time/dst-policy';
export { ZoneResolver } from './time/zone-resolver';
export { formatUtcInstant } from './time/civil-date';
export { parseRangeBound, type RangeBound } from './preview/preview-range';
export {
  PREVIEW_MAX_DAYS,
  PREVIEW_MAX_INSTANTS,
  previewSchedule,
  type PreviewScheduleRequest,
  type SchedulePreview,
} from './preview/schedule-preview';
export {
  CALENDAR_ENTRY_KINDS,
  type CalendarEntryDefinition,
  type CalendarEntryKind,
  type CalendarOccurrence,
  type CalendarRecurrence,
  type CalendarScope,
  type Interval,
} from './calendar/calendar-entry';
export {
  CALENDAR_FEED_PRODID,
  calendarEntryUid,
  calendarFeed,
  scopeAllows,
  type CalendarFeedEntry,
  type CalendarFeedFilter,
  type CalendarFeedOptions,
} from './icalendar/calendar-feed';
export {
  importedEntryId,
  parseMaintenanceCalendar,
  type ComponentMappingRule,
  type ImportedMaintenanceWindow,
  type MaintenanceCalendarImportOptions,
} from './icalendar/maintenance-calendar-import';
export {
  diffImportedCalendar,
  isEmptyDiff,
  type ImportedCalendarDiff,
} from './icalendar/imported-calendar-diff';
export {
  CALENDAR_IMPORT_SOURCE_ID,
  calendarImportDecider,
  importEntryPrefix,
  validateImportSource,
  type CalendarImport,
} from './icalendar/calendar-import.decider';
export type {
  CalendarImportCommand,
  CalendarImportSource,
  RecordMaintenanceCalendarRead,
  RegisterCalendarImportSource,
} from './icalendar/calendar-import.commands';
export type {
  CalendarImportEvent,
  CalendarImportSourceRegistered,
  MaintenanceCalendarImported,
} from './icalendar/calendar-import.events';
