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
export * from './placement/placement.types';
export { placeDeployments, splitWaves } from './placement/place-deployments';
export { workingHoursIntervals } from './placement/working-hours';
export { detectConflicts, ConflictDetector } from './conflicts/detect-conflicts';
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
export * from './policy/override-policy';
export { describeParty, slotPlacementOver } from './deployment-plan/placement-adapter';
