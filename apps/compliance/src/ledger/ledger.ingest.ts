import { isUtf8 } from 'node:buffer';
import type { Pool, PoolClient } from 'pg';
import {
  IdempotentConsumer,
  type InboxEvent,
  type MessageBus,
  type MessagingLogger,
} from '@trainyard/messaging';
import { PLANNING_EVENTS_TOPIC } from '@trainyard/planning-contracts';
import { SCHEDULING_EVENTS_TOPIC } from '@trainyard/scheduling-contracts';
import { COMPLIANCE_EVENTS_TOPIC } from '@trainyard/compliance-contracts';
import { ledgerFactsOf } from './ledger-links';

/** Every service's integration-event topic (ARCHITECTURE.md: `trainyard.<service>.events.v1`). */
export const DEFAULT_LEDGER_TOPICS: readonly string[] = [
  PLANNING_EVENTS_TOPIC,
  SCHEDULING_EVENTS_TOPIC,
  COMPLIANCE_EVENTS_TOPIC,
  'trainyard.deployment.events.v1',
  'trainyard.metrics.events.v1',
];

/**
 * Events per ledger transaction. A backlog arrives in fetched batches of ~1,000+ events per
 * partition; in runs of this size the first run's statement is under way while the rest of the
 * batch is parsed (compliance.ledger.ingest quick: the ledger ~25% faster than with whole-batch
 * runs, 4 paired runs; the 50k backlog unchanged), and a commit costs little next to 250 events'
 * rows.
 */
const LEDGER_RUN = 250;

const quote = (schema: string): string => `"${schema.replace(/"/g, '""')}"`;

/**
 * The statement's columns, each passed as one array parameter, and how a row reads it. Until 7 Dec
 * 2026 a run went as one jsonb document of objects, one per entry: PostgreSQL parsed every entry's
 * 18 keys and values as jsonb tokens and sorted the keys, ~10 µs of backend CPU per event, 40% of
 * the statement. A text array costs `array_in` a scan per element; only what is stored as jsonb
 * (links, data) is parsed as JSON, from one JSON array each (issue 13, `compliance.ledger.ingest`).
 */
const COLUMNS = [
  ['event_id', 'unnest($::text[])', 'event_id'],
  ['topic', 'unnest($::text[])', 'topic'],
  ['source', 'unnest($::text[])', 'source'],
  ['source_service', 'unnest($::text[])', 'source_service'],
  ['type', 'unnest($::text[])', 'type'],
  ['event_type', 'unnest($::text[])', 'event_type'],
  ['trail_kind', 'unnest($::text[])', 'trail_kind'],
  ['subject', 'unnest($::text[])', 'subject'],
  ['occurred_at', 'unnest($::timestamptz[])', 'occurred_at'],
  ['actor', 'unnest($::text[])', 'actor'],
  ['ce_actor', 'unnest($::text[])', 'ce_actor'],
  ['correlation_id', 'unnest($::text[])', 'correlation_id'],
  ['causation_id', 'unnest($::text[])', 'causation_id'],
  // Each entry's tags as an array literal: a two-dimensional array would have to be rectangular.
  ['controls', 'unnest($::text[])', 'controls::text[]'],
  ['links', 'jsonb_array_elements($::jsonb)', 'links'],
  // Each entry's data wrapped in an array, JSON null where it has no (or binary) data: `-> 0`
  // keeps a JSON null payload a jsonb null, as distinct from SQL NULL.
  ['data', 'jsonb_array_elements($::jsonb)', 'data -> 0'],
  ['kafka_partition', 'unnest($::integer[])', 'kafka_partition'],
  ['kafka_offset', 'unnest($::text[])', 'kafka_offset'],
] as const;

type Column = (typeof COLUMNS)[number][0];

/**
 * The run in one statement: the entries from the column parameters (zipped by `ROWS FROM`) and
 * `recorded_at` (one value for the run). An entry's links are its `links` column, found through
 * its GIN index (migration 0008). An event id already there (written under another consumer group,
 * or by a concurrent one) changes nothing.
 */
const insertStatement = (s: string): string => `
  INSERT INTO ${s}.ledger_entries (${COLUMNS.map(([column]) => column).join(', ')}, recorded_at)
  SELECT ${COLUMNS.map(([, , read]) => `u.${read}`).join(', ')}, $${COLUMNS.length + 1}::timestamptz
    FROM ROWS FROM (${COLUMNS.map(([, from], i) => from.replace('$', `$${i + 1}`)).join(', ')})
      AS u(${COLUMNS.map(([column]) => column).join(', ')})
  ON CONFLICT (event_id) DO NOTHING`;

/** A JSON escape that a PostgreSQL array literal would read differently (`\\n` is `n` there). */
const JSON_ONLY_ESCAPE = /\\[bfnrtu]/;

/**
 * A PostgreSQL array literal of text elements. The quoting of `JSON.stringify` (native, one pass)
 * is the literal's own for every string without control characters or lone surrogates: elements in
 * double quotes, `"` and `\\` escaped with a backslash, an unquoted `null` read as NULL, so no
 * string reads as NULL. Otherwise (or when an escaped backslash is followed by one of those
 * letters) each element is quoted here.
 */
const textArray = (values: readonly (string | null)[]): string => {
  const json = JSON.stringify(values);
  if (!JSON_ONLY_ESCAPE.test(json)) return `{${json.slice(1, -1)}}`;
  return `{${values
    .map((value) =>
      value === null ? 'NULL' : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
    )
    .join(',')}}`;
};

/**
 * An entry's data as stored, wrapped in a JSON array (see COLUMNS): the message's own JSON text,
 * which the consumer has parsed already (so it is valid JSON), instead of the parsed value
 * serialised again; jsonb keeps its numbers as written where a JavaScript round trip rounded them
 * to doubles. A value that is not valid UTF-8 (parsed with replacement characters) is serialised
 * from the parsed value, as before.
 */
const wrappedData = ({ event, message }: InboxEvent): string => {
  if (event.data === undefined || Buffer.isBuffer(event.data) || event.data instanceof Uint8Array)
    return 'null';
  const value = message.value;
  return value !== null && isUtf8(value)
    ? `[${value.toString('utf8')}]`
    : `[${JSON.stringify(event.data)}]`;
};

/**
 * Writes a batch of events to the ledger through `tx` (the inbox transaction) in one round trip
 * (see insertStatement). Returns the number of entries inserted.
 */
export const writeLedgerEntries = async (
  tx: PoolClient,
  schema: string,
  items: readonly InboxEvent[],
  recordedAt: Date,
): Promise<number> => {
  if (items.length === 0) return 0;
  const at = recordedAt.toISOString();
  const text = () => new Array<string | null>(items.length);
  const c = {
    event_id: text(),
    topic: text(),
    source: text(),
    source_service: text(),
    type: text(),
    event_type: text(),
    trail_kind: text(),
    subject: text(),
    occurred_at: text(),
    actor: text(),
    ce_actor: text(),
    correlation_id: text(),
    causation_id: text(),
    controls: text(),
    links: new Array<string>(items.length),
    data: new Array<string>(items.length),
    kafka_partition: new Array<number>(items.length),
    kafka_offset: text(),
  } satisfies Record<Column, unknown[]>;
  for (let n = 0; n < items.length; n++) {
    const item = items[n] as InboxEvent;
    const { event, message } = item;
    const facts = ledgerFactsOf(event);
    const kafkaTime = Number(message.timestamp);
    c.event_id[n] = event.id;
    c.topic[n] = message.topic;
    c.source[n] = event.source;
    c.source_service[n] = facts.sourceService;
    c.type[n] = event.type;
    c.event_type[n] = facts.eventType;
    c.trail_kind[n] = facts.trailKind;
    c.subject[n] = event.subject ?? null;
    c.occurred_at[n] =
      event.time?.toISOString() ??
      (Number.isFinite(kafkaTime) ? new Date(kafkaTime).toISOString() : at);
    c.actor[n] = facts.actor ?? null;
    c.ce_actor[n] = event.actor ?? null;
    c.correlation_id[n] = event.correlationId ?? null;
    c.causation_id[n] = event.causationId ?? null;
    c.controls[n] = facts.controls.length === 0 ? '{}' : textArray(facts.controls);
    c.links[n] = JSON.stringify(facts.links);
    c.data[n] = wrappedData(item);
    c.kafka_partition[n] = message.partition;
    c.kafka_offset[n] = message.offset;
  }
  const values = COLUMNS.map(([column, from]): string => {
    if (from.startsWith('jsonb')) return `[${(c[column] as string[]).join(',')}]`;
    if (column === 'kafka_partition') return `{${c.kafka_partition.join(',')}}`;
    return textArray(c[column] as (string | null)[]);
  });
  const { rowCount } = await tx.query(insertStatement(quote(schema)), [...values, at]);
  return rowCount ?? 0;
};

export interface LedgerIngestOptions {
  readonly pool: Pool;
  readonly bus: MessageBus;
  readonly schema: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** The service's `MESSAGING_INBOX_RETENTION_DAYS` (IdempotentConsumer warns of topics that outlive it). */
  readonly inboxRetentionDays: number;
  readonly logger?: MessagingLogger;
  /** The clock for `recorded_at` (tests and benches may pin it). */
  readonly now?: () => Date;
  /**
   * Partitions handled in parallel (each in its own inbox transaction, so their commits share the
   * fsync). The ledger orders by event time, not by arrival, so this changes nothing it answers.
   * Default 4.
   */
  readonly partitionsConsumedConcurrently?: number;
  /** Between start attempts while the broker is unavailable. Default 2 s. */
  readonly retryMs?: number;
}

/**
 * The ledger's consumer: one IdempotentConsumer (own group) over every configured topic. Topics
 * that do not exist yet are created first (1 partition, like the DLQ) so the ledger is subscribed
 * from the start and misses nothing a later producer writes; when the broker refuses (down, no
 * rights to create) start is retried every `retryMs` until it succeeds or stop() is called.
 */
export class LedgerIngest {
  private consumer?: IdempotentConsumer;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private readonly now: () => Date;

  constructor(private readonly options: LedgerIngestOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get stats() {
    return this.consumer?.stats;
  }

  /** Resolves once the consumer runs (after as many retries as needed), or when stopped first. */
  async start(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.options.bus
          .admin()
          .ensureTopics(this.options.topics.map((topic) => ({ topic, partitions: 1 })));
        const consumer = new IdempotentConsumer({
          pool: this.options.pool,
          bus: this.options.bus,
          schema: this.options.schema,
          groupId: this.options.groupId,
          topics: this.options.topics,
          inboxRetentionDays: this.options.inboxRetentionDays,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
          // Runs of a fetched batch per transaction: one commit (and one fsync) for up to LEDGER_RUN
          // events instead of one per event.
          maxBatchRun: LEDGER_RUN,
          // One inbox statement per run that also finds the duplicates; the ledger reads nothing
          // before it writes.
          recordInboxFirst: true,
          batchHandler: async (items, tx) => {
            await writeLedgerEntries(tx, this.options.schema, items, this.now());
          },
          ...(this.options.logger ? { logger: this.options.logger } : {}),
        });
        this.consumer = consumer;
        await consumer.start();
        if (this.stopped) await consumer.stop();
        return;
      } catch (error) {
        attempt++;
        await this.consumer?.stop().catch(() => undefined);
        this.consumer = undefined;
        this.options.logger?.warn(
          { groupId: this.options.groupId, attempt, error: String(error) },
          'ledger consumer did not start; retrying',
        );
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.options.retryMs ?? 2_000);
        });
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.consumer?.stop();
    this.consumer = undefined;
  }
}
