// Stored events as CloudEvents 1.0 Kafka messages in binary content mode (CloudEvents Kafka
// protocol binding 1.0): every attribute is a `ce_<name>` header with a UTF-8 string value,
// `datacontenttype` is the plain `content-type` header, and the record value is the data alone.
// This module: the attributes and the naming of sources and types, shared by encode and parse.

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
export const JSON_CONTENT_TYPE = 'application/json';

/** Header names: spec attributes, Trainyard's extensions (lower-case alphanumeric, as the spec requires) and W3C trace context. */
export const CE_HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  subject: 'ce_subject',
  time: 'ce_time',
  dataschema: 'ce_dataschema',
  contentType: 'content-type',
  correlationid: 'ce_correlationid',
  causationid: 'ce_causationid',
  actor: 'ce_actor',
  reason: 'ce_reason',
  streamversion: 'ce_streamversion',
  position: 'ce_position',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export const CE_PREFIX = 'ce_';

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
const TYPE_PATTERN = /^dev\.trainyard\.([a-z][a-z0-9-]*)\.(.+)\.v([1-9][0-9]*)$/;

/** `/trainyard/<service>`: the producing context. */
export function cloudEventSource(service: string): string {
  return `/trainyard/${assertServiceName(service)}`;
}

/**
 * `dev.trainyard.<service>.<EventType>.v<schemaVersion>`, e.g.
 * `dev.trainyard.planning.ReleaseScopeCommitted.v1`: reverse-DNS prefixed as the spec recommends,
 * the event type as stored, and the schema version, so a consumer can route on one attribute and
 * refuse versions it does not know.
 */
export function cloudEventType(service: string, eventType: string, schemaVersion: number): string {
  if (!eventType) throw new Error('cloudEventType: empty event type');
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1)
    throw new Error(`cloudEventType: invalid schema version ${schemaVersion}`);
  return `dev.trainyard.${assertServiceName(service)}.${eventType}.v${schemaVersion}`;
}

/** The parts of a Trainyard `type`, or undefined for a type that does not follow the convention. */
export function parseCloudEventType(
  type: string,
): { service: string; eventType: string; schemaVersion: number } | undefined {
  const match = TYPE_PATTERN.exec(type);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { service: match[1], eventType: match[2], schemaVersion: Number(match[3]) };
}

function assertServiceName(service: string): string {
  if (!SERVICE_NAME.test(service))
    throw new Error(`invalid service name ${JSON.stringify(service)}: use [a-z][a-z0-9-]*`);
  return service;
}
