// What every AsyncAPI contract spec needs (docs/asyncapi/*.asyncapi.yaml): the document parsed as
// raw YAML and by @asyncapi/parser, its component schemas as zod schemas, and the checks each
// spec ran on its own: a published Kafka message against the CloudEvents header trait and the
// schema its `ce_dataschema` names, and a catalogue of integration events against the messages
// and schemas documented. The checks return problems (`[]` when all is well) so a spec states what
// it expects with one `toEqual([])` and names every failure at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { z } from 'zod';
import type { EventMetadata, StoredEvent } from '@trainyard/event-store';
import {
  toIntegrationCloudEventMessage,
  type IntegrationEventMessage,
  type OutgoingMessage,
} from '@trainyard/messaging';

type JsonSchema = Record<string, unknown>;

/** The parts of an AsyncAPI 3 document the checks read. */
export interface AsyncApiDocument {
  readonly asyncapi: string;
  readonly id: string;
  readonly channels: Record<string, { address: string; messages: Record<string, unknown> }>;
  readonly components: {
    readonly messageTraits: { readonly cloudEventsBinary: { readonly headers: JsonSchema } };
    readonly messages: Record<string, { payload?: { $ref?: string } }>;
    readonly schemas: Record<string, JsonSchema>;
  };
}

/** What @asyncapi/parser makes of the document: sorted where order means nothing. */
export interface ParsedAsyncApi {
  /** Errors and warnings (`code at path: message`). */
  readonly problems: readonly string[];
  readonly id: string | undefined;
  readonly channels: readonly string[];
  readonly messages: readonly string[];
  /** Messages whose headers do not require `ce_dataschema`. */
  readonly withoutDataschemaHeader: readonly string[];
}

/** One entry of an integration-event catalogue. */
export interface CatalogueEntry {
  readonly type: string;
  readonly version: number;
}

/** A domain event as the contract mapping takes it. */
export interface DomainEventLike {
  readonly type: string;
  readonly data: unknown;
}

/** One event the mapping published, and the Kafka message the relay makes of it. */
export interface Publication<E extends DomainEventLike> {
  readonly event: E;
  readonly published: IntegrationEventMessage;
  readonly message: OutgoingMessage;
}

export interface PublishOptions<E extends DomainEventLike> {
  /** The service the relay sends as (`ce_source`, the trait's patterns). */
  readonly service: string;
  /** The contract mapping: undefined keeps the event internal. */
  readonly publish: (event: E) => IntegrationEventMessage | undefined;
  /** The `n`th event (from 1) as stored; default `storedEventOf(event, n)`. */
  readonly stored?: (event: E, n: number) => StoredEvent;
}

export interface Published<E extends DomainEventLike> {
  /** Every message's problems (messageProblems). */
  readonly problems: readonly string[];
  readonly publications: readonly Publication<E>[];
  /** The types of the events kept internal, in order. */
  readonly internal: readonly string[];
}

export interface AsyncApiContract {
  readonly source: string;
  readonly document: AsyncApiDocument;
  /** The CloudEvents binary-mode headers trait. */
  readonly headersSchema: z.ZodType;
  /** A component schema by name (`WorkloadDeferred.v1`). */
  schemaNamed(name: string): z.ZodType;
  /** The schema a `ce_dataschema` URI names: the document's id, then a pointer into it. */
  schemaOfDataschema(uri: string): z.ZodType;
  /** `data` (as sent: JSON) against the schema `dataschema` names. */
  payloadProblems(label: string, dataschema: string | undefined, data: unknown): string[];
  /** A Kafka message: headers against the trait, value against the schema `ce_dataschema` names. */
  messageProblems(label: string, message: OutgoingMessage): string[];
  /**
   * Each catalogued event without a message on the channel, a component message, a schema
   * `<type>.v<version>` or a payload pointing at it; with `whole`, also each documented message
   * the catalogue does not have.
   */
  undocumented(catalogue: readonly CatalogueEntry[], options?: { whole?: boolean }): string[];
  /** Each event through the mapping and the relay, each message checked. */
  publishAll<E extends DomainEventLike>(
    events: readonly E[],
    options: PublishOptions<E>,
  ): Published<E>;
  parsed(): Promise<ParsedAsyncApi>;
}

const DOCS = join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi');
const SEVERE: readonly number[] = [DiagnosticSeverity.Error, DiagnosticSeverity.Warning];
const SCHEMAS = '#/components/schemas/';

/** The contract in `docs/asyncapi/<file>`. */
export const asyncApiContract = (file: string): AsyncApiContract =>
  asyncApiContractOf(readFileSync(join(DOCS, file), 'utf8'));

const problemOf = (label: string, error: unknown): string =>
  `${label}: ${error instanceof Error ? error.message : String(error)}`;

/** The contract a YAML source documents. */
export const asyncApiContractOf = (source: string): AsyncApiContract => {
  const document = parse(source) as AsyncApiDocument;
  const { schemas, messages } = document.components;
  // zod resolves local `#/definitions/…` refs only, so the component schemas are re-rooted there.
  const definitions = JSON.parse(
    JSON.stringify(schemas).replaceAll(SCHEMAS, '#/definitions/'),
  ) as Record<string, unknown>;
  const schemaNamed = (name: string): z.ZodType => {
    if (!schemas[name]) throw new Error(`no schema ${name}`);
    return z.fromJSONSchema(
      { $ref: `#/definitions/${name}`, definitions },
      { defaultTarget: 'draft-7' },
    );
  };
  const schemaOfDataschema = (uri: string): z.ZodType => {
    const [base, pointer] = uri.split('#');
    if (base !== document.id || !pointer?.startsWith(SCHEMAS.slice(1)))
      throw new Error(`${uri} does not point into ${document.id}`);
    return schemaNamed(pointer.slice(SCHEMAS.length - 1));
  };
  const headersSchema = z.fromJSONSchema(
    document.components.messageTraits.cloudEventsBinary.headers,
    {
      defaultTarget: 'draft-7',
    },
  );
  const payloadProblems = (label: string, dataschema: string | undefined, data: unknown) => {
    try {
      const result = schemaOfDataschema(dataschema ?? '').safeParse(
        JSON.parse(JSON.stringify(data ?? null)),
      );
      return result.success ? [] : [`${label} data: ${result.error.message}`];
    } catch (error) {
      return [problemOf(`${label} data`, error)];
    }
  };
  const channelMessages = new Set(
    Object.values(document.channels).flatMap((c) => Object.keys(c.messages)),
  );
  const undocumented = (catalogue: readonly CatalogueEntry[], options?: { whole?: boolean }) => {
    const problems = catalogue.flatMap(({ type, version }) => {
      const schema = `${type}.v${version}`;
      return [
        ...(channelMessages.has(type) ? [] : [`${type}: no message on the channel`]),
        ...(messages[type] ? [] : [`${type}: no component message`]),
        ...(schemas[schema] ? [] : [`${type}: no schema ${schema}`]),
        ...(messages[type]?.payload?.$ref === `${SCHEMAS}${schema}`
          ? []
          : [`${type}: payload is not ${SCHEMAS}${schema}`]),
      ];
    });
    if (!options?.whole) return problems;
    const known = new Set(catalogue.map((e) => e.type));
    const extra = [...new Set([...channelMessages, ...Object.keys(messages)])].filter(
      (type) => !known.has(type),
    );
    return [...problems, ...extra.sort().map((type) => `${type}: documented, not published`)];
  };
  const messageProblems = (label: string, message: OutgoingMessage) => {
    const headers = headersSchema.safeParse(message.headers);
    const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
    return [
      ...(headers.success ? [] : [`${label} headers: ${headers.error.message}`]),
      ...payloadProblems(label, message.headers['ce_dataschema'], value),
    ];
  };
  const publishAll = <E extends DomainEventLike>(
    events: readonly E[],
    { service, publish, stored = storedEventOf }: PublishOptions<E>,
  ): Published<E> => {
    const publications: Publication<E>[] = [];
    const internal: string[] = [];
    events.forEach((event, i) => {
      const published = publish(event);
      if (!published) return internal.push(event.type);
      const message = toIntegrationCloudEventMessage(stored(event, i + 1), published, service);
      return publications.push({ event, published, message });
    });
    return {
      problems: publications.flatMap((p) => messageProblems(p.event.type, p.message)),
      publications,
      internal,
    };
  };
  return {
    source,
    document,
    headersSchema,
    schemaNamed,
    schemaOfDataschema,
    payloadProblems,
    messageProblems,
    undocumented,
    publishAll,
    parsed: () => parsedAsyncApi(source),
  };
};

const parsedAsyncApi = async (source: string): Promise<ParsedAsyncApi> => {
  const { document: parsed, diagnostics } = await new Parser().parse(source);
  const all = parsed?.messages().all() ?? [];
  return {
    problems: diagnostics
      .filter((d) => SEVERE.includes(d.severity))
      .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`),
    id: parsed?.info().id(),
    channels: (parsed?.channels().all() ?? []).map((c) => c.address() ?? '').sort(),
    messages: all.map((m) => m.id()).sort(),
    withoutDataschemaHeader: all
      .filter((m) => !m.headers()?.required()?.includes('ce_dataschema'))
      .map((m) => m.id())
      .sort(),
  };
};

/**
 * A domain event as the outbox relay reads it from the store: the `n`th of a scenario (its
 * position, event id and correlation id derive from `n`). With `optionalHeaders`, the metadata
 * that becomes optional CloudEvents headers is set too (a causation from the second event on, a
 * reason on every other one, a trace), so the trait is checked on them.
 */
export const storedEventOf = (
  event: { readonly type: string; readonly data: unknown },
  n: number,
  over: {
    readonly streamId?: string;
    readonly streamVersion?: number;
    readonly recordedAt?: Date;
    readonly metadata?: Partial<EventMetadata>;
    readonly optionalHeaders?: boolean;
  } = {},
): StoredEvent => ({
  position: BigInt(n),
  transactionId: BigInt(1000 + n),
  streamId: over.streamId ?? `stream-${n}`,
  streamVersion: over.streamVersion ?? n,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    correlationId: `corr-${n}`,
    actor: 'alice',
    ...(over.optionalHeaders
      ? {
          ...(n > 1 ? { causationId: `cause-${n}` } : {}),
          ...(n % 2 === 0 ? { reason: 'stated reason' } : {}),
          trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        }
      : {}),
    ...over.metadata,
  },
  recordedAt: over.recordedAt ?? new Date(Date.UTC(2031, 4, 4, 9, n % 60)),
});
