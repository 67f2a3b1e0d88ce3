import { randomUUID } from 'node:crypto';
import { migrateSchema } from '@trainyard/event-store';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from '@trainyard/compliance-read-models';
import {
  migrateMessaging,
  parseCloudEventMessage,
  toCloudEventMessage,
  type InboxEvent,
} from '@trainyard/messaging';
import { createTestContext, type TestContext } from '@trainyard/testing';
import { writeLedgerEntries } from './ledger.ingest';
import type { LedgerQueries } from './ledger.queries';
import { recordingLedgerQueries, type RecordedStatement } from './ledger-queries.fixture';

// The ledger's queries over what the ingest statement wrote, on the indexes migrations 0006 and
// 0008 left: ce_actor indexed only where it differs from actor, controls only where there are
// some, and links as the entries' `links` column under a GIN index (no link rows).
let ctx: TestContext;
let queries: LedgerQueries;
const statements: RecordedStatement[] = [];

beforeAll(async () => {
  ctx = await createTestContext('ledger_queries');
  await migrateMessaging(ctx.pool, ctx.schema);
  await migrateSchema(ctx.pool, ctx.schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
  queries = await recordingLedgerQueries(ctx, statements, 'ledger-queries');
});

afterAll(async () => ctx.dispose());

let minute = 0;
const event = (data: Record<string, unknown>, actor: string): InboxEvent => {
  const m = toCloudEventMessage(
    {
      position: BigInt(++minute),
      transactionId: 1n,
      streamId: `workload-${String(data['workloadId'])}`,
      streamVersion: 1,
      type: 'WorkloadRegistered',
      schemaVersion: 1,
      data,
      metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor },
      recordedAt: new Date(Date.UTC(2031, 4, 4, 9, minute)),
    },
    'planning',
  );
  const message = { ...m, topic: 't', partition: 0, offset: String(minute), timestamp: '0' };
  return { event: parseCloudEventMessage(message), message };
};

const write = async (items: readonly InboxEvent[]) => {
  const client = await ctx.pool.connect();
  try {
    return await writeLedgerEntries(client, ctx.schema, items, new Date());
  } finally {
    client.release();
  }
};

/** The bitmap index scans of the last count the queries ran, planned without sequential scans. */
const indexesOfLastCount = async (): Promise<string[]> => {
  const { text, values } = statements.findLast((s) => s.text.includes('count(*)'))!;
  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (COSTS OFF) ${text}`,
      values,
    );
    await client.query('ROLLBACK');
    return rows.flatMap((r) => /Bitmap Index Scan on (\w+)/.exec(r['QUERY PLAN'])?.[1] ?? []);
  } finally {
    client.release();
  }
};

describe('LedgerQueries', () => {
  const [same, other, both] = [
    // actor (registeredBy) and CloudEvent actor alike: only the actor index holds it.
    event({ workloadId: 'W-q1', registeredBy: 'user:cy' }, 'user:cy'),
    // Registered by someone else on cy's behalf: cy is only the CloudEvent actor.
    event({ workloadId: 'W-q2', registeredBy: 'user:dee', controls: ['SOX-404'] }, 'user:cy'),
    event({ workloadId: 'W-q3', registeredBy: 'user:cy', controls: ['SOX-404', 'ISO-1'] }, 'svc'),
  ] as const;
  const ids = (page: { items: readonly { eventId: string }[] }) => page.items.map((i) => i.eventId);

  beforeAll(async () => {
    await write([same, other, both]);
  });

  it('finds an actor as the one who did it or as the CloudEvent actor, each entry once', async () => {
    const cy = await queries.query({ actor: 'user:cy' });
    expect(ids(cy)).toEqual([same, other, both].map((e) => e.event.id));
    expect(cy.total).toBe(3);
    expect(await indexesOfLastCount()).toEqual(
      expect.arrayContaining(['ledger_entries_actor_idx', 'ledger_entries_ce_actor_other_idx']),
    );
    expect(ids(await queries.query({ actor: 'user:dee' }))).toEqual([other.event.id]);
    expect(ids(await queries.query({ actor: 'svc' }))).toEqual([both.event.id]);
  });

  it('finds a control through the index of entries that cite some', async () => {
    const sox = await queries.query({ control: 'SOX-404' });
    expect(ids(sox)).toEqual([other.event.id, both.event.id]);
    expect(await indexesOfLastCount()).toEqual(['ledger_entries_some_controls_idx']);
    expect(ids(await queries.query({ control: 'ISO-1' }))).toEqual([both.event.id]);
    expect((await queries.query({ control: 'none' })).total).toBe(0);
  });

  it("answers a workload's trail through the links its entries carry", async () => {
    const registration = event({ workloadId: 'W-t1', releaseId: 'R-t' }, 'user:cy');
    const commit = event({ releaseId: 'R-t', workloadIds: ['W-t1', 'W-t2'] }, 'user:cy');
    const closed = event({ releaseId: 'R-t' }, 'user:cy');
    const otherWorkload = event({ releaseId: 'R-t', workloadId: 'W-t3' }, 'user:cy');
    await write([registration, commit, closed, otherWorkload]);

    const trail = await queries.workloadTrail('W-t1');
    const trailIds = trail.groups.flatMap((g) => g.items.map((i) => i.eventId));
    expect(trailIds).toEqual([registration, commit, closed].map((e) => e.event.id));
    expect(trail.linked).toEqual([{ kind: 'release', id: 'R-t' }]);
    // W-t3's own event, and the release event that names no other workload.
    expect(ids(await queries.query({ workload: 'W-t3' }))).toEqual(
      [closed, otherWorkload].map((e) => e.event.id),
    );
  });

  it('finds a release through the links index, and its entries leave it with them', async () => {
    const gone = event({ workloadId: 'W-gone', releaseId: 'R-gone' }, 'user:cy');
    const kept = event({ workloadId: 'W-kept', releaseId: 'R-gone' }, 'user:cy');
    await write([gone, kept]);
    const release = await queries.query({ release: 'R-gone' });
    expect(ids(release)).toEqual([gone.event.id, kept.event.id]);
    expect(await indexesOfLastCount()).toEqual(['ledger_entries_links_idx']);
    expect(ids(await queries.query({ workload: 'W-gone' }))).toEqual([gone.event.id]);
    expect(await indexesOfLastCount()).toEqual(
      expect.arrayContaining(['ledger_entries_links_idx']),
    );

    await ctx.pool.query('DELETE FROM ledger_entries WHERE event_id = $1', [gone.event.id]);
    expect(ids(await queries.query({ release: 'R-gone' }))).toEqual([kept.event.id]);
    expect((await queries.query({ workload: 'W-gone' })).total).toBe(0);
  });
});
