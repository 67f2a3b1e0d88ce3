// CloudEvents read from Kafka messages in binary content mode (see cloud-event.attributes.ts).
import type { TraceContext } from '@trainyard/event-store';
import {
  CE_HEADERS,
  CE_PREFIX,
  CLOUDEVENTS_SPEC_VERSION,
  JSON_CONTENT_TYPE,
  parseCloudEventType,
} from './cloud-event.attributes';
import type { ConsumedMessage } from './message-bus.port';

/** The `ce_` headers of the spec's and Trainyard's own attributes (the rest are extensions). */
const KNOWN_CE_HEADERS: ReadonlySet<string> = new Set(
  Object.values(CE_HEADERS).filter((header) => header.startsWith(CE_PREFIX)),
);
const EXTENSION_NAME = /^[a-z0-9]+$/;
// RFC 3339 date-time (the `time` attribute's format), with the offset required.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const UNSIGNED = /^(0|[1-9][0-9]*)$/;

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
  for (const header in h) {
    if (!Object.hasOwn(h, header) || KNOWN_CE_HEADERS.has(header)) continue;
    if (!header.startsWith(CE_PREFIX)) continue;
    const name = header.slice(CE_PREFIX.length);
    if (EXTENSION_NAME.test(name)) extensions[name] = h[header] as string;
  }

  // Assigned one by one, not spread from per-attribute objects: this runs for every consumed
  // message, and the spreads cost more than the rest of the parse (compliance.ledger.ingest).
  const event: Mutable<ParsedCloudEvent> = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id,
    source,
    type,
    data: dataOf(message.value, contentType),
    key: message.key,
    extensions,
  };
  setText(event, 'subject', h[CE_HEADERS.subject]);
  if (time) event.time = time;
  setText(event, 'datacontenttype', contentType);
  setText(event, 'dataschema', h[CE_HEADERS.dataschema]);
  if (typeParts) {
    event.eventType = typeParts.eventType;
    event.schemaVersion = typeParts.schemaVersion;
  }
  setText(event, 'correlationId', h[CE_HEADERS.correlationid]);
  setText(event, 'causationId', h[CE_HEADERS.causationid]);
  setText(event, 'actor', h[CE_HEADERS.actor]);
  setText(event, 'reason', h[CE_HEADERS.reason]);
  if (streamVersion !== undefined) event.streamVersion = streamVersion;
  if (position !== undefined) event.position = BigInt(position);
  if (trace) event.trace = trace;
  return event;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type TextAttribute =
  | 'subject'
  | 'datacontenttype'
  | 'dataschema'
  | 'correlationId'
  | 'causationId'
  | 'actor'
  | 'reason';

/** Sets an optional text attribute when the header has a non-empty value. */
function setText(
  event: Mutable<ParsedCloudEvent>,
  key: TextAttribute,
  value: string | undefined,
): void {
  if (value !== undefined && value !== '') event[key] = value;
}

function required(
  headers: Readonly<Record<string, string>>,
  attribute: 'id' | 'source' | 'type',
): string {
  const value = headers[CE_HEADERS[attribute]];
  if (!value) throw new InvalidCloudEventError(`missing ce_${attribute}`);
  return value;
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
