// What scheduling publishes on trainyard.scheduling.events.v1 (ADR 0009): one plain type per
// event and version under events/, the union and mapping from domain events, topic and CloudEvents names.
export * from './scheduling.topics';
export * from './scheduling-integration-event';
export * from './scheduling-integration.mapping';
export type * from './events/calendar-values.v1';
export type * from './events/calendar-entry-defined.v1';
export type * from './events/calendar-entry-revised.v1';
export type * from './events/calendar-entry-retired.v1';
export type * from './events/component-declared.v1';
export type { DeploymentPlanIntegrationEvent } from './deployment-plan-integration-event';
export type { DeploymentScheduledV1 } from './events/deployment-scheduled.v1';
export type { DeploymentPlacementFailedV1 } from './events/deployment-placement-failed.v1';
export type { DeploymentRescheduledV1 } from './events/deployment-rescheduled.v1';
export type { DeploymentSlotV1, RejectedSlotV1 } from './events/deployment-values.v1';
export {
  deploymentPlanIntegrationEvent,
  deploymentPlanIntegrationEventOf,
} from './deployment-plan-integration.mapping';
// Freeze overrides (issue 11 item 3): v1 event types and their mapping.
export * from './override-integration.mapping';
export type * from './events/freeze-override-values.v1';
export type * from './events/freeze-override-requested.v1';
export type * from './events/freeze-override-approved.v1';
export type * from './events/freeze-override-activated.v1';
export type * from './events/freeze-override-rejected.v1';
export type * from './events/freeze-override-revoked.v1';
export type * from './events/freeze-override-used.v1';
export type * from './events/freeze-override-expired.v1';
export type * from './events/override-review-opened.v1';
export type * from './events/override-review-closed.v1';
// Job runs (issue 12): v1 event types and their mapping.
export * from './job-run-integration.mapping';
export type * from './events/job-run-events.v1';
// Job definitions (issue 12 items 1 and 7): v1 event types and their mapping.
export * from './job-definition-integration.mapping';
export type * from './events/job-manifest-applied.v1';
export type * from './events/job-manifest-proposed.v1';
export type * from './events/job-manifest-rolled-back.v1';
export type * from './events/job-deprecated.v1';
export type * from './events/job-reinstated.v1';
