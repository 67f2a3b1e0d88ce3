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
 * The batch document's keys, the columns they fill and their SQL types. The keys are short because
 * they repeat in every entry: with the column names as keys they were ~40% of the document, which
 * the ingest writes to the socket and PostgreSQL reads and parses as jsonb, per event.
 */
const DOCUMENT_COLUMNS = [
  ['i', 'event_id', 'text'],
  ['tp', 'topic', 'text'],
  ['s', 'source', 'text'],
  ['sv', 'source_service', 'text'],
  ['t', 'type', 'text'],
  ['et', 'event_type', 'text'],
  ['k', 'trail_kind', 'text'],
  ['sj', 'subject', 'text'],
  ['o', 'occurred_at', 'timestamptz'],
  ['a', 'actor', 'text'],
  ['ca', 'ce_actor', 'text'],
  ['c', 'correlation_id', 'text'],
  ['cz', 'causation_id', 'text'],
  ['ct', 'controls', 'text[]'],
  ['l', 'links', 'jsonb'],
  ['d', 'data', 'jsonb'],
  ['p', 'kafka_partition', 'integer'],
  ['ko', 'kafka_offset', 'text'],
] as const;

type DocumentEntry = Record<(typeof DOCUMENT_COLUMNS)[number][0], unknown>;

/** One entry as a JSON object of the batch document below. */
const entryOf = (item: InboxEvent, recordedAt: string): DocumentEntry => {
  const { event, message } = item;
  const facts = ledgerFactsOf(event);
  const kafkaTime = Number(message.timestamp);
  const occurredAt =
    event.time?.toISOString() ??
    (Number.isFinite(kafkaTime) ? new Date(kafkaTime).toISOString() : recordedAt);
  const raw =
    event.data === undefined || Buffer.isBuffer(event.data) || event.data instanceof Uint8Array;
  return {
    i: event.id,
    tp: message.topic,
    s: event.source,
    sv: facts.sourceService,
    t: event.type,
    et: facts.eventType,
    k: facts.trailKind,
    sj: event.subject ?? null,
    o: occurredAt,
    a: facts.actor ?? null,
    ca: event.actor ?? null,
    c: event.correlationId ?? null,
    cz: event.causationId ?? null,
    ct: facts.controls,
    l: facts.links,
    // Wrapped, because the document's JSON null reads as SQL NULL: `[null]` keeps a JSON null
    // payload a jsonb null, as distinct from no (or binary) data.
    d: raw ? null : [event.data],
    p: message.partition,
    ko: message.offset,
  };
};

/**
 * The batch in one statement: the entries from one jsonb document (one JSON.stringify here, one
 * parse in PostgreSQL, instead of an escaped text array per column) and `recorded_at` ($2, one
 * value for the batch). An entry's links are its `links` column, found through its GIN index
 * (migration 0008). An event id already there (written under another consumer group, or by a
 * concurrent one) changes nothing.
 */
const insertStatement = (s: string): string => `
  INSERT INTO ${s}.ledger_entries (${DOCUMENT_COLUMNS.map(([, column]) => column).join(', ')},
    recorded_at)
  SELECT ${DOCUMENT_COLUMNS.map(([key]) => (key === 'd' ? 'e.d -> 0' : `e.${key}`)).join(', ')},
         $2::timestamptz
    FROM jsonb_to_recordset($1::jsonb)
      AS e(${DOCUMENT_COLUMNS.map(([key, , type]) => `${key} ${type}`).join(', ')})
  ON CONFLICT (event_id) DO NOTHING`;

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
  const document = JSON.stringify(items.map((item) => entryOf(item, at)));
  const { rowCount } = await tx.query(insertStatement(quote(schema)), [document, at]);
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
