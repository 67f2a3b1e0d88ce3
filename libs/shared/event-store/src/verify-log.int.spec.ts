import { generateKeyPairSync } from 'node:crypto';
import { tamperAsSuperuser, waitFor } from '@trainyard/testing';
import { EventSealer } from './event-sealer';
import { eventStoreSchemas } from './event-store-schemas.fixture';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore } from './postgres-event-store';
import { CheckpointSigner } from './signed-checkpoint';
import type { SignedTreeCheckpoint } from './signed-checkpoint';
import { verifyEventLog } from './verify-log';
import type { LogVerificationStats } from './verify-log';
import { BATCH_PAGE_SIZE } from './verify-log.query';

// Verification streams (issue: audit:verify on millions of events): these tests read a log many
// pages long with a tiny page size and assert on what verification held at most, so a return to
// loading the whole log (or every leaf) fails them whatever the machine's memory.

const signer = new CheckpointSigner(
  'trainyard.test/verify',
  generateKeyPairSync('ed25519').privateKey,
);
const EVENTS = 150;
const PAGE_SIZE = 4;

const db = eventStoreSchemas('verify_log');

interface LongLog {
  readonly schema: string;
  readonly positions: bigint[];
  readonly checkpoints: readonly SignedTreeCheckpoint[];
}

/** 150 events, one per transaction, sealed in batches of 7, signed at 50 and at 150. */
async function longLog(): Promise<LongLog> {
  const schema = await db.freshSchema();
  const store = createEventStore(db.pool, schema, { crossProcessSignal: false });
  const sealer = new EventSealer(db.pool, schema, { batchSize: 7, checkpoints: { signer } });
  const checkpoints: SignedTreeCheckpoint[] = [];
  let sealed = 0;
  for (const size of [50, EVENTS]) {
    for (let i = sealed; i < size; i++)
      await store.append(freshStreamId(), [newEvent('AmountRecorded', { amount: i })]);
    await waitFor(async () => (sealed += await sealer.sealPending()) >= size, {
      description: `${size} events sealed`,
    });
    checkpoints.push(await sealer.signCheckpoint());
  }
  await store.close();
  return { schema, positions: await db.positionsInCommitOrder(schema), checkpoints };
}

async function verifyInPages(log: LongLog) {
  let stats: LogVerificationStats | undefined;
  const result = await verifyEventLog(db.pool, log.schema, {
    checkpoints: log.checkpoints.map((c) => c.note),
    verifierKey: signer.verifierKey,
    pageSize: PAGE_SIZE,
    onStats: (s) => (stats = s),
  });
  return { result, stats: stats! };
}

/** Within bounds for this log: one page of events, one page of batches, log2(n) + 1 tree nodes. */
function expectBounded(stats: LogVerificationStats, eventsRead: number): void {
  expect(stats.eventsRead).toBe(eventsRead);
  expect(stats.maxRowsHeld).toBe(PAGE_SIZE);
  expect(stats.pagesRead).toBeGreaterThanOrEqual(Math.ceil(eventsRead / PAGE_SIZE));
  expect(stats.maxBatchRowsHeld).toBeLessThanOrEqual(BATCH_PAGE_SIZE);
  expect(stats.maxNodesKept).toBeLessThanOrEqual(Math.floor(Math.log2(EVENTS)) + 1);
}

describe('verification reads the log in pages and keeps only the compact range', () => {
  it('verifies a log 38 pages long holding one page of events and at most 8 tree nodes', async () => {
    const log = await longLog();
    const { result, stats } = await verifyInPages(log);
    expect(result).toEqual({
      ok: true,
      checked: EVENTS,
      unsealed: 0,
      checkpointsVerified: 2,
      rootHash: log.checkpoints[1]!.rootHash.toString('hex'),
    });
    // 150 events in pages of 4: 37 full pages and one of 2 that ends the log.
    expect(stats.pagesRead).toBe(38);
    expectBounded(stats, EVENTS);
  });

  const cases: [
    name: string,
    sql: (p: bigint[]) => string,
    leaf: number,
    position: (p: bigint[]) => bigint | null,
    reason: RegExp,
  ][] = [
    [
      // Leaf 7 ends the second page: telling an insert needs the event after it, on the next page.
      'an event inserted at the end of a page',
      (
        p,
      ) => `INSERT INTO events (position, transaction_id, stream_id, stream_version, event_type, data, metadata)
                OVERRIDING SYSTEM VALUE
                SELECT 1000000000, transaction_id, 'forged', 1, 'AmountRecorded', '{"amount": 1}', metadata
                  FROM events WHERE position = ${p[6]}`,
      7,
      () => 1_000_000_000n,
      /leaf 7 .* inserted/,
    ],
    [
      // The sealed event at leaf 5 is found 29 pages later.
      'events reordered far apart',
      (p) => `UPDATE events e SET transaction_id = o.transaction_id FROM events o
               WHERE (e.position, o.position) IN ((${p[5]}, ${p[120]}), (${p[120]}, ${p[5]}))`,
      5,
      (p) => p[120]!,
      /leaf 5 .*\(reordered\)/,
    ],
    [
      'an event changed deep in the log',
      (p) => `UPDATE events SET data = '{"amount": -1}' WHERE position = ${p[100]}`,
      100,
      (p) => p[100]!,
      /leaf 100 .* does not match its sealed leaf hash/,
    ],
  ];

  it.each(cases)(
    'names the first bad leaf for %s, still one page at a time',
    async (_name, sql, leaf, position, reason) => {
      const log = await longLog();
      await tamperAsSuperuser(db.pool, log.schema, sql(log.positions));
      const { result, stats } = await verifyInPages(log);
      expect(result).toMatchObject({
        ok: false,
        checked: leaf,
        firstBadLeaf: leaf,
        firstBadPosition: position(log.positions),
        reason: expect.stringMatching(reason),
      });
      // A mismatch that is not an insert or a removal is searched for through the rest of the log.
      expectBounded(stats, stats.eventsRead);
      expect(stats.eventsRead).toBeGreaterThan(leaf);
    },
  );

  it('finds the newest events removed together with their batches through the checkpoint', async () => {
    const log = await longLog();
    const { rows } = await db.pool.query<{ start: number }>(
      `SELECT max(start_size)::int AS start FROM "${log.schema}".event_tree_batches WHERE start_size <= 140`,
    );
    const start = rows[0]!.start;
    await tamperAsSuperuser(
      db.pool,
      log.schema,
      `DELETE FROM events WHERE position IN (${log.positions.slice(start).join(', ')});
       DELETE FROM event_tree_batches WHERE start_size >= ${start}`,
    );
    const { result, stats } = await verifyInPages(log);
    expect(result).toMatchObject({
      ok: false,
      checked: start,
      firstBadLeaf: start,
      firstBadPosition: null,
      reason: expect.stringMatching(
        new RegExp(
          `commits to ${EVENTS} events, the sealed tree holds ${start}: the events at leaves ${start}\\.\\.${EVENTS - 1} \\(after position ${log.positions[start - 1]}\\) were removed together with their seals`,
        ),
      ),
    });
    expectBounded(stats, start);
  });
});
