// Domain events → integration events (ADR 0009): the domain's types are imported for types only,
// and every published field is copied by name, so a domain refactor fails typecheck here instead of
// changing what other services consume.
import type {
  CalendarEntryDefinition,
  CalendarEntryEvent,
  ComponentEvent,
  DeploymentPlanEvent,
  FreezeOverrideEvent,
  JobRunEvent,
  JobDefinitionEvent,
} from '@trainyard/scheduling-domain';
import {
  deploymentPlanIntegrationEvent,
  isDeploymentPlanEvent,
} from './deployment-plan-integration.mapping';
import { isOverrideEvent, toOverrideIntegrationEvent } from './override-integration.mapping';
import { isJobRunEvent, toJobRunIntegrationEvent } from './job-run-integration.mapping';
import {
  isJobDefinitionEvent,
  toJobDefinitionIntegrationEvent,
} from './job-definition-integration.mapping';
import type { CalendarEntryDefinitionV1 } from './events/calendar-values.v1';
import type { SchedulingIntegrationEvent } from './scheduling-integration-event';
import { schedulingDataschema } from './scheduling.topics';

/** Every event scheduling's deciders emit (other parts of scheduling add theirs to this union). */
export type SchedulingDomainEvent =
  | CalendarEntryEvent
  | ComponentEvent
  | FreezeOverrideEvent
  | DeploymentPlanEvent
  | JobRunEvent
  | JobDefinitionEvent;

/** Adding a domain event fails the switch below until it is mapped or explicitly not published. */
const notPublished = (_event: never): undefined => undefined;

const copyList = (list: readonly string[] | undefined) => (list ? [...list] : undefined);

export const toDefinitionV1 = (d: CalendarEntryDefinition): CalendarEntryDefinitionV1 => ({
  id: d.id,
  kind: d.kind,
  name: d.name,
  zone: d.zone,
  start: d.start,
  duration: d.duration,
  recurrence: d.recurrence && {
    rule: d.recurrence.rule,
    exceptions: copyList(d.recurrence.exceptions),
    additions: copyList(d.recurrence.additions),
  },
  dstPolicy: { gap: d.dstPolicy.gap, overlap: d.dstPolicy.overlap },
  scope: {
    trains: copyList(d.scope.trains),
    teams: copyList(d.scope.teams),
    environments: copyList(d.scope.environments),
    components: copyList(d.scope.components),
  },
  holidayRefs: copyList(d.holidayRefs),
  teamWorkingHoursOnly: d.teamWorkingHoursOnly,
});

/** The integration event a domain event is published as; undefined: not published. */
export function toIntegrationEvent(
  event: SchedulingDomainEvent,
): SchedulingIntegrationEvent | undefined {
  if (isOverrideEvent(event)) return toOverrideIntegrationEvent(event);
  if (isDeploymentPlanEvent(event)) return deploymentPlanIntegrationEvent(event);
  if (isJobRunEvent(event)) return toJobRunIntegrationEvent(event);
  if (isJobDefinitionEvent(event)) return toJobDefinitionIntegrationEvent(event);
  switch (event.type) {
    case 'CalendarEntryDefined': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          definition: toDefinitionV1(d.definition),
          sequence: d.sequence,
          definedBy: d.definedBy,
          definedAt: d.definedAt,
        },
      };
    }
    case 'CalendarEntryRevised': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          definition: toDefinitionV1(d.definition),
          sequence: d.sequence,
          revisedBy: d.revisedBy,
          revisedAt: d.revisedAt,
          reason: d.reason,
        },
      };
    }
    case 'CalendarEntryRetired': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          entryId: d.entryId,
          kind: d.kind,
          sequence: d.sequence,
          reason: d.reason,
          retiredBy: d.retiredBy,
          retiredAt: d.retiredAt,
        },
      };
    }
    case 'ComponentDeclared': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          componentId: d.componentId,
          parentId: d.parentId,
          declaredBy: d.declaredBy,
          declaredAt: d.declaredAt,
        },
      };
    }
    default:
      return notPublished(event);
  }
}

/** A stored event as the outbox relay hands it over. */
export interface StoredSchedulingEvent {
  readonly type: string;
  readonly data: unknown;
}

/**
 * The service's publishing rule (ServiceDefinition.integrationEvents): the integration event of a
 * stored scheduling event, with the URI of its schema; undefined: not published.
 */
export function schedulingIntegrationEventOf(
  stored: StoredSchedulingEvent,
): (SchedulingIntegrationEvent & { readonly dataschema: string }) | undefined {
  const event = toIntegrationEvent(stored as SchedulingDomainEvent);
  return event && { ...event, dataschema: schedulingDataschema(event) };
}
