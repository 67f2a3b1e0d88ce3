// Stored events as CloudEvents 1.0 Kafka messages in binary content mode (CloudEvents Kafka
// protocol binding 1.0): every attribute is a `ce_<name>` header with a UTF-8 string value,
// `datacontenttype` is the plain `content-type` header, and the record value is the data alone.
import type { StoredEvent, TraceContext } from '@trainyard/event-store';
import type { ConsumedMessage, OutgoingMessage } from './message-bus.port';

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

const CE_PREFIX = 'ce_';
const KNOWN_ATTRIBUTES: ReadonlySet<string> = new Set(
  Object.values(CE_HEADERS)
    .filter((header) => header.startsWith(CE_PREFIX))
    .map((header) => header.slice(CE_PREFIX.length)),
);
const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
const EXTENSION_NAME = /^[a-z0-9]+$/;
const TYPE_PATTERN = /^dev\.trainyard\.([a-z][a-z0-9-]*)\.(.+)\.v([1-9][0-9]*)$/;
// RFC 3339 date-time (the `time` attribute's format), with the offset required.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const UNSIGNED = /^(0|[1-9][0-9]*)$/;

export interface CloudEventMessageOptions {
  /** URI of the data's schema (e.g. the AsyncAPI/JSON Schema document of this type and version). */
  readonly dataschema?: string;
}

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

/** A CloudEvent read from Kafka. Trainyard's extensions are typed when present; foreign producers may omit them. */
export interface ParsedCloudEvent {
  readonly specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: Date;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  /** Parsed JSON for a JSON content type (or none given); the raw bytes otherwise; undefined without a value. */
  readonly data: unknown;
  /** From `type` when it follows `dev.trainyard.<service>.<EventType>.v<n>`. */
  readonly eventType?: string;
  readonly schemaVersion?: number;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: string;
  readonly reason?: string;
  readonly streamVersion?: number;
  readonly position?: bigint;
  /** From the W3C headers; an invalid `traceparent` is ignored, as W3C Trace Context requires. */
  readonly trace?: TraceContext;
  readonly key: string | null;
  /** Other `ce_` extension attributes, by name without the prefix. */
  readonly extensions: Readonly<Record<string, string>>;
}

export class InvalidCloudEventError extends Error {
  readonly code = 'INVALID_CLOUD_EVENT' as const;

  constructor(readonly reason: string) {
    super(`invalid CloudEvent: ${reason}`);
    this.name = 'InvalidCloudEventError';
  }
}

export function isInvalidCloudEvent(error: unknown): error is InvalidCloudEventError {
  return error instanceof InvalidCloudEventError;
}

/** Reads a binary-mode CloudEvent; throws InvalidCloudEventError when a required attribute is missing or malformed. */
export function parseCloudEventMessage(
  message: Pick<ConsumedMessage, 'key' | 'value' | 'headers'>,
): ParsedCloudEvent {
  const h = message.headers;
  const contentType = h[CE_HEADERS.contentType];
  if (contentType?.toLowerCase().startsWith('application/cloudevents')) {
    throw new InvalidCloudEventError(`structured content mode (${contentType}) is not supported`);
  }
  const specversion = h[CE_HEADERS.specversion];
  if (specversion === undefined) throw new InvalidCloudEventError('missing ce_specversion');
  if (specversion !== CLOUDEVENTS_SPEC_VERSION)
    throw new InvalidCloudEventError(`unsupported ce_specversion ${JSON.stringify(specversion)}`);
  const id = required(h, 'id');
  const source = required(h, 'source');
  const type = required(h, 'type');
  const typeParts = parseCloudEventType(type);
  const time = optionalTime(h[CE_HEADERS.time]);
  const streamVersion = optionalUnsigned(h, 'streamversion');
  const position = h[CE_HEADERS.position];
  if (position !== undefined && !UNSIGNED.test(position))
    throw new InvalidCloudEventError(
      `ce_position ${JSON.stringify(position)} is not an unsigned integer`,
    );
  const trace = traceOf(h);

  const extensions: Record<string, string> = {};
  for (const [header, value] of Object.entries(h)) {
    if (!header.startsWith(CE_PREFIX)) continue;
    const name = header.slice(CE_PREFIX.length);
    if (!KNOWN_ATTRIBUTES.has(name) && EXTENSION_NAME.test(name)) extensions[name] = value;
  }

  return {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id,
    source,
    type,
    ...optional('subject', h[CE_HEADERS.subject]),
    ...(time ? { time } : {}),
    ...optional('datacontenttype', contentType),
    ...optional('dataschema', h[CE_HEADERS.dataschema]),
    data: dataOf(message.value, contentType),
    ...(typeParts
      ? { eventType: typeParts.eventType, schemaVersion: typeParts.schemaVersion }
      : {}),
    ...optional('correlationId', h[CE_HEADERS.correlationid]),
    ...optional('causationId', h[CE_HEADERS.causationid]),
    ...optional('actor', h[CE_HEADERS.actor]),
    ...optional('reason', h[CE_HEADERS.reason]),
    ...(streamVersion === undefined ? {} : { streamVersion }),
    ...(position === undefined ? {} : { position: BigInt(position) }),
    ...(trace ? { trace } : {}),
    key: message.key,
    extensions,
  };
}

function assertServiceName(service: string): string {
  if (!SERVICE_NAME.test(service))
    throw new Error(`invalid service name ${JSON.stringify(service)}: use [a-z][a-z0-9-]*`);
  return service;
}

function required(
  headers: Readonly<Record<string, string>>,
  attribute: 'id' | 'source' | 'type',
): string {
  const value = headers[CE_HEADERS[attribute]];
  if (!value) throw new InvalidCloudEventError(`missing ce_${attribute}`);
  return value;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}

function optionalTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(time.getTime()))
    throw new InvalidCloudEventError(
      `ce_time ${JSON.stringify(value)} is not an RFC 3339 timestamp`,
    );
  return time;
}

function optionalUnsigned(
  headers: Readonly<Record<string, string>>,
  attribute: 'streamversion',
): number | undefined {
  const value = headers[CE_HEADERS[attribute]];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!UNSIGNED.test(value) || !Number.isSafeInteger(n))
    throw new InvalidCloudEventError(
      `ce_${attribute} ${JSON.stringify(value)} is not an unsigned integer`,
    );
  return n;
}

function traceOf(headers: Readonly<Record<string, string>>): TraceContext | undefined {
  const traceparent = headers[CE_HEADERS.traceparent];
  if (!traceparent || !TRACEPARENT.test(traceparent)) return undefined;
  const tracestate = headers[CE_HEADERS.tracestate];
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === JSON_CONTENT_TYPE) return true;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === JSON_CONTENT_TYPE || mediaType.endsWith('+json');
}

function dataOf(value: Buffer | null, contentType: string | undefined): unknown {
  if (value === null || value.length === 0) return undefined;
  if (!isJson(contentType)) return value;
  try {
    return JSON.parse(value.toString('utf8')) as unknown;
  } catch (error) {
    throw new InvalidCloudEventError(
      `data is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
