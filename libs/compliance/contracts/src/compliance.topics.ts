/** Compliance's integration-event topic: what GRC tools consume. */
export const COMPLIANCE_EVENTS_TOPIC = 'trainyard.compliance.events.v1';
/** CloudEvents `source` of every compliance event. */
export const COMPLIANCE_EVENT_SOURCE = '/trainyard/compliance';
/** The `id` of docs/asyncapi/compliance.asyncapi.yaml: the base of every `dataschema`. */
export const COMPLIANCE_ASYNCAPI_ID = 'urn:trainyard:compliance:events';

/** CloudEvents `type`: `dev.trainyard.compliance.<Type>.v<version>`. */
export const complianceCloudEventType = (event: {
  readonly type: string;
  readonly version: number;
}): string => `dev.trainyard.compliance.${event.type}.v${event.version}`;

/** CloudEvents `dataschema`: `<document id>#/components/schemas/<Type>.v<version>`. */
export const complianceDataschema = (event: {
  readonly type: string;
  readonly version: number;
}): string => `${COMPLIANCE_ASYNCAPI_ID}#/components/schemas/${event.type}.v${event.version}`;
