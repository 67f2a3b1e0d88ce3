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
export * from './jobs/job-manifest';
export * from './jobs/job-manifest.diff';
export * from './jobs/job-definition';
export * from './jobs/job-definition.decide';
export { evolveJobDefinition } from './jobs/job-definition.evolve';
export { jobDefinitionDecider } from './jobs/job-definition.decider';
export { findTaskCycle, formatCycle as formatTaskCycle, type TaskNode } from './jobs/task-graph';
export { canonicalJson, sha256Hex } from './jobs/canonical-json';
