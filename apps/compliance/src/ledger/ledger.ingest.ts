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

const quote = (schema: string): string => `"${schema.replace(/"/g, '""')}"`;

/** One entry's columns, in the order of the INSERT below. */
const entryRow = (item: InboxEvent, recordedAt: Date): unknown[] => {
  const { event, message } = item;
  const facts = ledgerFactsOf(event);
  const kafkaTime = Number(message.timestamp);
  const occurredAt = event.time ?? (Number.isFinite(kafkaTime) ? new Date(kafkaTime) : recordedAt);
  const data =
    event.data === undefined || Buffer.isBuffer(event.data) || event.data instanceof Uint8Array
      ? null
      : JSON.stringify(event.data);
  return [
    event.id,
    message.topic,
    event.source,
    facts.sourceService,
    event.type,
    facts.eventType,
    facts.trailKind,
    event.subject ?? null,
    occurredAt.toISOString(),
    facts.actor ?? null,
    event.actor ?? null,
    event.correlationId ?? null,
    event.causationId ?? null,
    JSON.stringify(facts.controls),
    JSON.stringify(facts.links),
    data,
    message.partition,
    message.offset,
    recordedAt.toISOString(),
  ];
};

const ENTRY_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'timestamptz',
  'text',
  'text',
  'text',
  'text',
  'jsonb',
  'jsonb',
  'jsonb',
  'integer',
  'text',
  'timestamptz',
] as const;

/**
 * Writes a batch of events to the ledger through `tx` (the inbox transaction): the entries in one
 * statement, then the links of those inserted in another (column arrays through `unnest`, so two
 * round trips whatever the batch size). An event id already there (another topic delivered the same
 * event) changes nothing. Returns the number of entries inserted.
 */
export const writeLedgerEntries = async (
  tx: PoolClient,
  schema: string,
  items: readonly InboxEvent[],
  recordedAt: Date,
): Promise<number> => {
  if (items.length === 0) return 0;
  const s = quote(schema);
  const rows = items.map((item) => entryRow(item, recordedAt));
  const columns = ENTRY_TYPES.map((_, c) => rows.map((r) => r[c]));
  const inserted = await tx.query<{ event_id: string; links: { kind: string; id: string }[] }>(
    `INSERT INTO ${s}.ledger_entries (event_id, topic, source, source_service, type, event_type,
       trail_kind, subject, occurred_at, actor, ce_actor, correlation_id, causation_id, controls,
       links, data, kafka_partition, kafka_offset, recorded_at)
     SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13,
            ARRAY(SELECT jsonb_array_elements_text(c14)), c15, c16, c17, c18, c19
       FROM unnest(${ENTRY_TYPES.map((t, c) => `$${c + 1}::${t}[]`).join(', ')})
         AS e(${ENTRY_TYPES.map((_, c) => `c${c + 1}`).join(', ')})
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id, links`,
    columns,
  );
  const links = inserted.rows.flatMap((row) =>
    row.links.map((link) => ({ kind: link.kind, id: link.id, eventId: row.event_id })),
  );
  if (links.length > 0)
    await tx.query(
      `INSERT INTO ${s}.ledger_links (kind, ref_id, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT DO NOTHING`,
      [links.map((l) => l.kind), links.map((l) => l.id), links.map((l) => l.eventId)],
    );
  return inserted.rowCount ?? 0;
};

export interface LedgerIngestOptions {
  readonly pool: Pool;
  readonly bus: MessageBus;
  readonly schema: string;
  readonly groupId: string;
  readonly topics: readonly string[];
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
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
          // A fetched batch per transaction: one commit (and one fsync) for up to a fetch's worth of
          // events instead of one per event.
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
