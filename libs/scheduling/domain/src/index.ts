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
  CALENDAR_FREQUENCIES,
  MAX_CALENDAR_LIST,
  MAX_CALENDAR_OCCURRENCES,
  MAX_OCCURRENCE_DAYS,
  parseLocalDateTime,
  parseRecurrenceRule,
  parseWallDuration,
  type LocalDateTime,
  type WallDuration,
} from './calendar/calendar-values';
export {
  validateCalendarEntryDefinition,
  validateCalendarScope,
  validateDstPolicy,
} from './calendar/calendar-entry.validation';
export {
  expandIntervals,
  expandOccurrences,
  type ExpansionOptions,
} from './calendar/calendar-occurrences';
export {
  entryAppliesTo,
  maintenanceWindowsFor,
  type MaintenanceLevel,
  type ScopeSubject,
} from './calendar/calendar-scope';
export type {
  CalendarEntryCommand,
  DefineCalendarEntry,
  RetireCalendarEntry,
  ReviseCalendarEntry,
} from './calendar/calendar-entry.commands';
export type {
  CalendarEntryDefined,
  CalendarEntryEvent,
  CalendarEntryRetired,
  CalendarEntryRevised,
} from './calendar/calendar-entry.events';
export { initialCalendarEntry, type CalendarEntry } from './calendar/calendar-entry.state';
export {
  CALENDAR_ENTRY_KIND_FIXED_RULE,
  CALENDAR_ENTRY_RETIRED_RULE,
  CALENDAR_HOLIDAY_REF_RULE,
  decideCalendarEntry,
  sameDefinition,
  type CalendarEntryDecisionContext,
} from './calendar/calendar-entry.decide';
export { evolveCalendarEntry } from './calendar/calendar-entry.evolve';
export { calendarEntryDecider } from './calendar/calendar-entry.decider';
export { createComponentTree, type ComponentTree } from './component/component-tree';
export type { ComponentCommand, DeclareComponent } from './component/component.commands';
export type { ComponentDeclared, ComponentEvent } from './component/component.events';
export { initialComponent, type Component } from './component/component.state';
export {
  COMPONENT_CYCLE_RULE,
  decideComponent,
  type ComponentDecisionContext,
} from './component/component.decide';
export { evolveComponent } from './component/component.evolve';
export { componentDecider } from './component/component.decider';
export {
  DEFAULT_DURATION_POLICY,
  assertValidDurationPolicy,
  type DurationPolicy,
  type WorkloadType,
} from './durations/duration-policy';
export {
  defaultMinutesFor,
  durationStatistics,
  durationVariance,
  expectedDuration,
  minutesBetween,
  nearestRankPercentile,
  type DurationStatistics,
  type DurationVariance,
  type ExpectedDuration,
  type ExpectedDurationBasis,
  type FinishedSample,
} from './durations/expected-duration';
export * from './deployment-plan/deployment-plan.commands';
export * from './deployment-plan/deployment-plan.events';
export * from './deployment-plan/deployment-plan.state';
export {
  deploymentIdOf,
  type DeploymentPlanDecisionContext,
} from './deployment-plan/deployment-plan.decide';
export {
  DEPLOYMENT_PLAN_EVENT_TYPES,
  deploymentPlanDecider,
} from './deployment-plan/deployment-plan.decider';
export * from './deployment-plan/release-target';
export type {
  PlaceSlot,
  PlacedSlot,
  SlotAnswer,
  SlotRequest,
} from './deployment-plan/slot-placement';
export * from './freeze-override';
export {
  DEFAULT_OVERRIDE_POLICY,
  assertValidOverridePolicy,
  requiredApprovals as overrideApprovalsRequired,
  type OverrideApprovalRule,
  type OverridePolicy,
  type RequiredApprovals as OverrideApprovalsRequired,
} from './policy/override-policy';
export * from './placement/placement.types';
export { placeDeployments, splitWaves } from './placement/place-deployments';
export { workingHoursIntervals } from './placement/working-hours';
export { detectConflicts, ConflictDetector } from './conflicts/detect-conflicts';
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
export {
  CALENDAR_IMPORT_TO_CALENDAR_ENTRY_EVENT_TYPES,
  reactToMaintenanceCalendarImported,
} from './icalendar/calendar-import-to-calendar-entry.reactor';
export { describeParty, slotPlacementOver } from './deployment-plan/placement-adapter';
export * from './jobs/job-manifest';
export * from './jobs/job-manifest.diff';
export * from './jobs/job-definition';
export * from './jobs/job-definition.decide';
export { evolveJobDefinition } from './jobs/job-definition.evolve';
export { jobDefinitionDecider } from './jobs/job-definition.decider';
export {
  findTaskCycle,
  formatCycle as formatTaskCycle,
  taskDepths,
  tasksInDependencyOrder,
  type TaskNode,
} from './jobs/task-graph';
export { canonicalJson, sha256Hex } from './jobs/canonical-json';
export {
  releasesToReplace,
  type ReleaseToReplace,
  type ReschedulingTrigger,
  type ScheduledSlot,
} from './deployment-plan/rescheduling-selection';
export * from './jobs/runs/job-run.events';
export * from './jobs/runs/dispatch-policy';
export * from './jobs/runs/job-run.decide';
export * from './jobs/runs/job-run.slots';
export * from './jobs/runs/job-run.preclaim';
export * from './jobs/executors';
export * from './jobs/secrets/secret';
export * from './jobs/time';
export * from './jobs/insights';
export * from './jobs/capacity';
