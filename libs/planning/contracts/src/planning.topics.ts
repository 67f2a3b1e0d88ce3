// Where and under which names planning's integration events are published (ARCHITECTURE.md):
// one topic per service, CloudEvents `source` and `type` per the platform's convention
// (libs/shared/messaging/src/cloud-event.attributes.ts), and `dataschema` pointing into the AsyncAPI document.

/** Planning's integration-event topic: 3 partitions, keyed by stream id. */
export const PLANNING_EVENTS_TOPIC = 'trainyard.planning.events.v1';

/** CloudEvents `source` of every planning event. */
export const PLANNING_EVENT_SOURCE = '/trainyard/planning';

/** The `id` of docs/asyncapi/planning.asyncapi.yaml: the base of every `dataschema`. */
export const PLANNING_ASYNCAPI_ID = 'urn:trainyard:planning:events';

/** CloudEvents `type`: `dev.trainyard.planning.<Type>.v<version>`; route on it, refuse versions you do not know. */
export const planningCloudEventType = (event: {
  readonly type: string;
  readonly version: number;
}): string => `dev.trainyard.planning.${event.type}.v${event.version}`;

/**
 * CloudEvents `dataschema`: the AsyncAPI document's schema of this type and version, as
 * `<document id>#/components/schemas/<Type>.v<version>` (a JSON pointer into the document).
 */
export const planningDataschema = (event: {
  readonly type: string;
  readonly version: number;
}): string => `${PLANNING_ASYNCAPI_ID}#/components/schemas/${event.type}.v${event.version}`;
