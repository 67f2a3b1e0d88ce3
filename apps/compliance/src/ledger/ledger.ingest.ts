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

/** One entry as a JSON object of the batch document below (keys are the columns). */
const entryOf = (item: InboxEvent, recordedAt: string): Record<string, unknown> => {
  const { event, message } = item;
  const facts = ledgerFactsOf(event);
  const kafkaTime = Number(message.timestamp);
  const occurredAt =
    event.time?.toISOString() ??
    (Number.isFinite(kafkaTime) ? new Date(kafkaTime).toISOString() : recordedAt);
  const raw =
    event.data === undefined || Buffer.isBuffer(event.data) || event.data instanceof Uint8Array;
  return {
    event_id: event.id,
    topic: message.topic,
    source: event.source,
    source_service: facts.sourceService,
    type: event.type,
    event_type: facts.eventType,
    trail_kind: facts.trailKind,
    subject: event.subject ?? null,
    occurred_at: occurredAt,
    actor: facts.actor ?? null,
    ce_actor: event.actor ?? null,
    correlation_id: event.correlationId ?? null,
    causation_id: event.causationId ?? null,
    controls: facts.controls,
    links: facts.links,
    // Wrapped, because the document's JSON null reads as SQL NULL: `[null]` keeps a JSON null
    // payload a jsonb null, as distinct from no (or binary) data.
    data: raw ? null : [event.data],
    kafka_partition: message.partition,
    kafka_offset: message.offset,
    recorded_at: recordedAt,
  };
};

/**
 * The batch in one statement: the entries from one jsonb document (one JSON.stringify here, one
 * parse in PostgreSQL, instead of an escaped text array per column), then the links of the entries
 * actually inserted, read back from their `links` column in the same statement (no rows return to
 * JS). An event id already there (written under another consumer group, or by a concurrent one)
 * changes nothing and adds no links; a new entry has no links yet, and its links are distinct
 * (ledgerFactsOf), so the links need no conflict check.
 */
const insertStatement = (s: string): string => `
  WITH entries AS (
    INSERT INTO ${s}.ledger_entries (event_id, topic, source, source_service, type, event_type,
      trail_kind, subject, occurred_at, actor, ce_actor, correlation_id, causation_id, controls,
      links, data, kafka_partition, kafka_offset, recorded_at)
    SELECT event_id, topic, source, source_service, type, event_type, trail_kind, subject,
           occurred_at, actor, ce_actor, correlation_id, causation_id, controls, links, data -> 0,
           kafka_partition, kafka_offset, recorded_at
      FROM jsonb_to_recordset($1::jsonb) AS e(event_id text, topic text, source text,
        source_service text, type text, event_type text, trail_kind text, subject text,
        occurred_at timestamptz, actor text, ce_actor text, correlation_id text,
        causation_id text, controls text[], links jsonb, data jsonb, kafka_partition integer,
        kafka_offset text, recorded_at timestamptz)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id, links
  ), links AS (
    INSERT INTO ${s}.ledger_links (kind, ref_id, event_id)
    SELECT link ->> 'kind', link ->> 'id', entries.event_id
      FROM entries CROSS JOIN LATERAL jsonb_array_elements(entries.links) AS link
  )
  SELECT count(*)::integer AS inserted FROM entries`;

/**
 * Writes a batch of events to the ledger through `tx` (the inbox transaction) in one round trip:
 * entries and their links (see insertStatement). Returns the number of entries inserted.
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
  const { rows } = await tx.query<{ inserted: number }>(insertStatement(quote(schema)), [document]);
  return rows[0]?.inserted ?? 0;
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
