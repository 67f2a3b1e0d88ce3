import type { CalendarEntryDefinedV1 } from './events/calendar-entry-defined.v1';
import type { CalendarEntryRetiredV1 } from './events/calendar-entry-retired.v1';
import type { CalendarEntryRevisedV1 } from './events/calendar-entry-revised.v1';
import type { ComponentDeclaredV1 } from './events/component-declared.v1';
import type { DeploymentPlanIntegrationEvent } from './deployment-plan-integration-event';
import { DEPLOYMENT_PLAN_INTEGRATION_EVENTS } from './deployment-plan-integration.mapping';
import {
  JOB_RUN_INTEGRATION_EVENTS,
  type JobRunIntegrationEvent,
} from './job-run-integration.mapping';
import {
  JOB_DEFINITION_INTEGRATION_EVENTS,
  type JobDefinitionIntegrationEvent,
} from './job-definition-integration.mapping';
import {
  OVERRIDE_INTEGRATION_EVENTS,
  type OverrideIntegrationEvent,
} from './override-integration.mapping';

/** One published event: its type (`ce_type`'s event part), schema version and data (the record value). */
export interface IntegrationEvent<TType extends string, TVersion extends number, TData> {
  readonly type: TType;
  readonly version: TVersion;
  readonly data: TData;
}

/**
 * Every event scheduling publishes on `trainyard.scheduling.events.v1`, by type and version. To add
 * one: its `events/<event>.v1.ts`, a line here and in `SCHEDULING_INTEGRATION_EVENTS`, a case in
 * the mapping, and its message and schema in docs/asyncapi/scheduling.asyncapi.yaml.
 */
export type SchedulingIntegrationEvent =
  | IntegrationEvent<'CalendarEntryDefined', 1, CalendarEntryDefinedV1>
  | IntegrationEvent<'CalendarEntryRevised', 1, CalendarEntryRevisedV1>
  | IntegrationEvent<'CalendarEntryRetired', 1, CalendarEntryRetiredV1>
  | IntegrationEvent<'ComponentDeclared', 1, ComponentDeclaredV1>
  | OverrideIntegrationEvent
  | DeploymentPlanIntegrationEvent
  | JobRunIntegrationEvent
  | JobDefinitionIntegrationEvent;

export type SchedulingIntegrationEventType = SchedulingIntegrationEvent['type'];

export type SchedulingEventData<
  TType extends SchedulingIntegrationEventType,
  TVersion extends number = 1,
> = Extract<SchedulingIntegrationEvent, { type: TType; version: TVersion }>['data'];

/** The catalogue: every (type, version) published today. The contract spec holds the AsyncAPI document to it. */
export const SCHEDULING_INTEGRATION_EVENTS: readonly {
  readonly type: SchedulingIntegrationEventType;
  readonly version: number;
}[] = [
  ...(
    [
      'CalendarEntryDefined',
      'CalendarEntryRevised',
      'CalendarEntryRetired',
      'ComponentDeclared',
    ] as const satisfies readonly SchedulingIntegrationEventType[]
  ).map((type) => ({ type, version: 1 })),
  ...OVERRIDE_INTEGRATION_EVENTS,
  ...DEPLOYMENT_PLAN_INTEGRATION_EVENTS,
  ...JOB_RUN_INTEGRATION_EVENTS,
  ...JOB_DEFINITION_INTEGRATION_EVENTS,
];
