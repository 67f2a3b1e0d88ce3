// Where and under which names scheduling's integration events are published (ARCHITECTURE.md):
// one topic per service, CloudEvents `source` and `type` per the platform's convention
// (libs/shared/messaging/src/cloud-event.attributes.ts), and `dataschema` pointing into the AsyncAPI document.

/** Scheduling's integration-event topic: 3 partitions, keyed by stream id. */
export const SCHEDULING_EVENTS_TOPIC = 'trainyard.scheduling.events.v1';

/** CloudEvents `source` of every scheduling event. */
export const SCHEDULING_EVENT_SOURCE = '/trainyard/scheduling';

/** The `id` of docs/asyncapi/scheduling.asyncapi.yaml: the base of every `dataschema`. */
export const SCHEDULING_ASYNCAPI_ID = 'urn:trainyard:scheduling:events';

/** CloudEvents `type`: `dev.trainyard.scheduling.<Type>.v<version>`; route on it, refuse versions you do not know. */
export const schedulingCloudEventType = (event: {
  readonly type: string;
  readonly version: number;
}): string => `dev.trainyard.scheduling.${event.type}.v${event.version}`;

/**
 * CloudEvents `dataschema`: the AsyncAPI document's schema of this type and version, as
 * `<document id>#/components/schemas/<Type>.v<version>` (a JSON pointer into the document).
 */
export const schedulingDataschema = (event: {
  readonly type: string;
  readonly version: number;
}): string => `${SCHEDULING_ASYNCAPI_ID}#/components/schemas/${event.type}.v${event.version}`;
