// Stored events encoded as CloudEvents Kafka messages in binary content mode (see
// cloud-event.attributes.ts).
import type { StoredEvent } from '@trainyard/event-store';
import {
  CE_HEADERS,
  CLOUDEVENTS_SPEC_VERSION,
  JSON_CONTENT_TYPE,
  cloudEventSource,
  cloudEventType,
} from './cloud-event.attributes';
import type { OutgoingMessage } from './message-bus.port';

export interface CloudEventMessageOptions {
  /** URI of the data's schema (e.g. the AsyncAPI/JSON Schema document of this type and version). */
  readonly dataschema?: string;
}

/**
 * What a service publishes for a stored event (libs/<service>/contracts): the integration event's
 * type, schema version and data, and the URI of its schema.
 */
export interface IntegrationEventMessage {
  readonly type: string;
  readonly version: number;
  readonly data: unknown;
  readonly dataschema?: string;
}

/** The Kafka message of a stored event: key = stream id, value = the JSON data, attributes in headers. */
export function toCloudEventMessage(
  event: StoredEvent,
  service: string,
  options: CloudEventMessageOptions = {},
): OutgoingMessage {
  return cloudEventMessage(
    event,
    service,
    { type: event.type, version: event.schemaVersion, data: event.data },
    options,
  );
}

/**
 * The Kafka message of a stored event published as an integration event: id, subject, time,
 * metadata, trace and position from the stored event; type, data and dataschema from the
 * integration event the service's contract mapped it to.
 */
export function toIntegrationCloudEventMessage(
  event: StoredEvent,
  published: IntegrationEventMessage,
  service: string,
): OutgoingMessage {
  return cloudEventMessage(
    event,
    service,
    published,
    published.dataschema ? { dataschema: published.dataschema } : {},
  );
}

function cloudEventMessage(
  event: StoredEvent,
  service: string,
  published: Omit<IntegrationEventMessage, 'dataschema'>,
  options: CloudEventMessageOptions,
): OutgoingMessage {
  const { metadata } = event;
  const headers: Record<string, string> = {
    [CE_HEADERS.specversion]: CLOUDEVENTS_SPEC_VERSION,
    [CE_HEADERS.id]: metadata.eventId,
    [CE_HEADERS.source]: cloudEventSource(service),
    [CE_HEADERS.type]: cloudEventType(service, published.type, published.version),
    [CE_HEADERS.subject]: event.streamId,
    [CE_HEADERS.time]: event.recordedAt.toISOString(),
    [CE_HEADERS.contentType]: JSON_CONTENT_TYPE,
    [CE_HEADERS.correlationid]: metadata.correlationId,
    [CE_HEADERS.actor]: metadata.actor,
    [CE_HEADERS.streamversion]: String(event.streamVersion),
    [CE_HEADERS.position]: event.position.toString(),
  };
  if (metadata.causationId) headers[CE_HEADERS.causationid] = metadata.causationId;
  if (metadata.reason) headers[CE_HEADERS.reason] = metadata.reason;
  if (options.dataschema) headers[CE_HEADERS.dataschema] = options.dataschema;
  if (metadata.trace?.traceparent) {
    headers[CE_HEADERS.traceparent] = metadata.trace.traceparent;
    if (metadata.trace.tracestate) headers[CE_HEADERS.tracestate] = metadata.trace.tracestate;
  }
  return {
    key: event.streamId,
    value: Buffer.from(JSON.stringify(published.data), 'utf8'),
    headers,
  };
}
