import type { ParsedCloudEvent } from '@trainyard/messaging';

/** The media type of a CloudEvent in structured content mode (CloudEvents JSON format 1.0). */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/**
 * A CloudEvent read from Kafka (binary mode) as a structured-mode JSON document: every attribute
 * a member, the JSON data under `data`, Trainyard's extensions as lower-case members.
 */
export function structuredCloudEvent(event: ParsedCloudEvent): string {
  const document: Record<string, unknown> = {
    specversion: event.specversion,
    id: event.id,
    source: event.source,
    type: event.type,
  };
  if (event.subject !== undefined) document.subject = event.subject;
  if (event.time !== undefined) document.time = event.time.toISOString();
  document.datacontenttype = 'application/json';
  if (event.dataschema !== undefined) document.dataschema = event.dataschema;
  if (event.correlationId !== undefined) document.correlationid = event.correlationId;
  if (event.causationId !== undefined) document.causationid = event.causationId;
  if (event.actor !== undefined) document.actor = event.actor;
  if (event.reason !== undefined) document.reason = event.reason;
  if (event.streamVersion !== undefined) document.streamversion = event.streamVersion;
  if (event.position !== undefined) document.position = event.position.toString();
  if (event.trace?.traceparent) document.traceparent = event.trace.traceparent;
  if (event.trace?.tracestate) document.tracestate = event.trace.tracestate;
  for (const [name, value] of Object.entries(event.extensions))
    if (!(name in document)) document[name] = value;
  document.data = Buffer.isBuffer(event.data) ? null : (event.data ?? null);
  return JSON.stringify(document);
}
