import { randomUUID } from 'node:crypto';
import { migrateSchema } from '@trainyard/event-store';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from '@trainyard/compliance-read-models';
import {
  DEFAULT_INBOX_RETENTION_DAYS,
  createKafkaMessageBus,
  migrateMessaging,
  toCloudEventMessage,
  type MessageBus,
  type MessageProducer,
  type OutgoingMessage,
} from '@trainyard/messaging';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { LedgerIngest } from './ledger.ingest';

// The ledger's batch path against real PostgreSQL and Kafka: one statement per fetched batch
// writes entries and links; duplicates, a message that is no CloudEvent and an event the ledger
// cannot store (a NUL in its data) cost nothing but themselves, and every other event is linked
// exactly once.
let ctx: TestContext;
let bus: MessageBus;
let producer: MessageProducer;
const running: LedgerIngest[] = [];

beforeAll(async () => {
  ctx = await createTestContext('ledger_ingest');
  await migrateMessaging(ctx.pool, ctx.schema);
  await migrateSchema(ctx.pool, ctx.schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
  bus = createKafkaMessageBus({ brokers: ctx.brokers, clientId: 'ledger-ingest-test' });
  producer = bus.producer();
});

afterEach(async () => {
  for (const ingest of running.splice(0)) await ingest.stop();
});

afterAll(async () => {
  await producer.disconnect();
  await ctx.dispose();
});

const RECORDED_AT = new Date('2031-05-04T10:00:00.000Z');

const registered = (workloadId: string, data: Record<string, unknown> = {}): OutgoingMessage =>
  toCloudEventMessage(
    {
      position: 1n,
      transactionId: 1n,
      streamId: `workload-${workloadId}`,
      streamVersion: 1,
      type: 'WorkloadRegistered',
      schemaVersion: 1,
      data: { workloadId, releaseId: 'R-1', registeredBy: 'user:ann', ...data },
      metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'user:svc' },
      recordedAt: new Date('2031-05-04T09:00:00.000Z'),
    },
    'planning',
  );

const idOf = (message: OutgoingMessage): string => message.headers['ce_id'] ?? '';

async function ingest(name: string, topics: readonly string[]) {
  const ledger = new LedgerIngest({
    pool: ctx.pool,
    bus,
    schema: ctx.schema,
    groupId: ctx.groupId(name),
    topics,
    inboxRetentionDays: DEFAULT_INBOX_RETENTION_DAYS,
    now: () => RECORDED_AT,
  });
  running.push(ledger);
  await ledger.start();
  return ledger;
}

async function linksOf(eventIds: readonly string[]) {
  const { rows } = await ctx.pool.query<{ event_id: string; kind: string; ref_id: string }>(
    `SELECT e.event_id, x ->> 'kind' AS kind, x ->> 'id' AS ref_id
       FROM ledger_entries e CROSS JOIN LATERAL jsonb_array_elements(e.links) AS x
      WHERE e.event_id = ANY($1::text[])
      ORDER BY event_id, kind, ref_id`,
    [eventIds],
  );
  return rows;
}

async function entryCount(eventIds: readonly string[]): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: number }>(
    'SELECT count(*)::integer AS n FROM ledger_entries WHERE event_id = ANY($1::text[])',
    [eventIds],
  );
  return rows[0]?.n ?? 0;
}

describe('LedgerIngest', () => {
  it('links each event of a batch exactly once, past duplicates and a message that is no CloudEvent', async () => {
    const topic = ctx.topic('duplicates');
    const events = Array.from({ length: 30 }, (_, i) => registered(`W-dup-${i}`));
    const poison: OutgoingMessage = { key: 'x', value: Buffer.from('{}'), headers: {} };
    // One batch on one partition: duplicates of the first five (a redelivery) and a poison message.
    await producer.send(topic, [...events.slice(0, 15), poison, ...events.slice(0, 5)]);
    await producer.send(topic, [...events.slice(15), ...events.slice(10, 20)]);
    const ledger = await ingest('duplicates', [topic]);
    await waitFor(() => (ledger.stats?.handled ?? 0) + (ledger.stats?.duplicates ?? 0) >= 45, {
      description: 'every message handled',
    });

    const ids = events.map(idOf);
    expect(await entryCount(ids)).toBe(30);
    const links = await linksOf(ids);
    expect(links).toHaveLength(60);
    expect(links.filter((l) => l.event_id === ids[3])).toEqual([
      { event_id: ids[3], kind: 'release', ref_id: 'R-1' },
      { event_id: ids[3], kind: 'workload', ref_id: 'W-dup-3' },
    ]);
    expect(ledger.stats).toMatchObject({ handled: 30, duplicates: 15, deadLettered: 1 });
  });

  it('adds no entry and no link for an event already in the ledger (written under another group)', async () => {
    const [first, second] = [ctx.topic('topic-a'), ctx.topic('topic-b')];
    const shared = registered('W-shared');
    const own = registered('W-own');
    await producer.send(first, [shared]);
    await producer.send(second, [own, shared]);
    const earlier = await ingest('earlier-group', [first]);
    await waitFor(() => (earlier.stats?.handled ?? 0) >= 1, { description: 'first topic read' });
    // A new group (e.g. the ledger's group renamed) has an empty inbox: the entry is there already.
    const later = await ingest('later-group', [second]);
    await waitFor(() => (later.stats?.handled ?? 0) >= 2, { description: 'second topic read' });

    expect(await entryCount([idOf(shared), idOf(own)])).toBe(2);
    expect(await linksOf([idOf(shared)])).toHaveLength(2);
    expect(await linksOf([idOf(own)])).toHaveLength(2);
    const { rows } = await ctx.pool.query<{ topic: string }>(
      'SELECT topic FROM ledger_entries WHERE event_id = $1',
      [idOf(shared)],
    );
    expect(rows).toEqual([{ topic: first }]);
  });

  it('dead-letters an event the ledger cannot store and links the rest of its batch', async () => {
    const topic = ctx.topic('unstorable');
    const events = Array.from({ length: 10 }, (_, i) => registered(`W-nul-${i}`));
    // jsonb refuses \u0000: the batch's statement fails, then each message is tried on its own.
    const unstorable = registered('W-nul-bad', { title: 'a\u0000b' });
    await producer.send(topic, [...events.slice(0, 5), unstorable, ...events.slice(5)]);
    const ledger = await ingest('unstorable', [topic]);
    await waitFor(
      () => (ledger.stats?.deadLettered ?? 0) >= 1 && (ledger.stats?.handled ?? 0) >= 10,
      {
        description: 'the unstorable event dead-lettered and the others handled',
        timeoutMs: 60_000,
      },
    );

    const ids = events.map(idOf);
    expect(await entryCount([...ids, idOf(unstorable)])).toBe(10);
    expect(await linksOf(ids)).toHaveLength(20);
    expect(ledger.stats).toMatchObject({ handled: 10, deadLettered: 1 });
  });

  it('stores what the event says: time, actor, controls and data (a JSON null stays JSON null)', async () => {
    const topic = ctx.topic('columns');
    const withControls = registered('W-col', { controls: ['SOX-1', 'ISO-9'] });
    const jsonNull = { ...registered('W-null'), value: Buffer.from('null') };
    await producer.send(topic, [withControls, jsonNull]);
    const ledger = await ingest('columns', [topic]);
    await waitFor(() => (ledger.stats?.handled ?? 0) >= 2, { description: 'both handled' });

    const { rows } = await ctx.pool.query(
      `SELECT event_id, occurred_at, recorded_at, actor, ce_actor, controls, trail_kind,
              data, data IS NULL AS sql_null, jsonb_typeof(data) AS data_type, links
         FROM ledger_entries WHERE event_id = ANY($1::text[])`,
      [[idOf(withControls), idOf(jsonNull)]],
    );
    const byId = new Map(rows.map((row) => [row.event_id as string, row]));
    expect(byId.get(idOf(withControls))).toMatchObject({
      occurred_at: new Date('2031-05-04T09:00:00.000Z'),
      recorded_at: RECORDED_AT,
      actor: 'user:ann',
      ce_actor: 'user:svc',
      controls: ['ISO-9', 'SOX-1'],
      trail_kind: 'change-request',
      data: {
        workloadId: 'W-col',
        releaseId: 'R-1',
        registeredBy: 'user:ann',
        controls: ['SOX-1', 'ISO-9'],
      },
      links: [
        { kind: 'release', id: 'R-1' },
        { kind: 'workload', id: 'W-col' },
      ],
    });
    expect(byId.get(idOf(jsonNull))).toMatchObject({ sql_null: false, data_type: 'null' });
  });

  // The run's text columns travel as PostgreSQL array literals and its data as the message's own
  // JSON text (writeLedgerEntries): quoting must hold for any text, and data keeps what it says.
  it('stores text exactly and data as written: quotes, backslashes, control characters, braces, "null", a 20-digit number', async () => {
    const topic = ctx.topic('text');
    const awkward = 'a "quoted" \\ back\\nslash, {braced}, NULL';
    const message = registered('W-text', { controls: ['SOX "1"', 'ISO\\9', 'line\nbreak'] });
    const escaped: OutgoingMessage = {
      ...message,
      headers: {
        ...message.headers,
        ce_subject: awkward,
        ce_correlationid: 'null',
        ce_causationid: 'tab\there \u0001 é ✓',
      },
    };
    const data = '{"workloadId":"W-big","count":12345678901234567890,"ratio":1.50}';
    const big = { ...registered('W-big'), value: Buffer.from(data) };
    await producer.send(topic, [escaped, big]);
    const ledger = await ingest('text', [topic]);
    await waitFor(() => (ledger.stats?.handled ?? 0) >= 2, { description: 'both handled' });

    const { rows } = await ctx.pool.query(
      `SELECT subject, correlation_id, causation_id, controls, data::text AS data_text, links
         FROM ledger_entries WHERE event_id = ANY($1::text[]) ORDER BY subject`,
      [[idOf(escaped), idOf(big)]],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        subject: awkward,
        correlation_id: 'null',
        causation_id: 'tab\there \u0001 é ✓',
        controls: ['ISO\\9', 'SOX "1"', 'line\nbreak'],
      }),
      expect.objectContaining({
        subject: 'workload-W-big',
        data_text: '{"count": 12345678901234567890, "ratio": 1.50, "workloadId": "W-big"}',
        links: [{ kind: 'workload', id: 'W-big' }],
      }),
    ]);
  });
});
