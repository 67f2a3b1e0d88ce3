import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendInTransaction,
  createEventStore,
  handleCommand,
  leafHash,
} from '@trainyard/event-store';
import {
  PRIVACY_REGISTER_STREAM,
  privacyDecider,
  type LegalHoldScope,
  type RecordsArchived,
  type RecordsPurged,
} from '@trainyard/compliance-domain';
import { waitFor, type TestContext } from '@trainyard/testing';
import { verifyRecordArchives } from './record-archives.verify';
import { RetentionSweep } from './retention-sweep';
import { NOW, daysAgo, retentionTestContext } from './retention-schema.fixture';

// The retention sweep against real PostgreSQL: expired rows of the ledger, the evaluations read
// model and the webhook deliveries are deleted or archived, legal holds keep theirs, and the pass
// is recorded on the privacy register; a hold placed during a pass rolls the pass back whole; an
// edited archive file is named with its line and record id.

const POLICY = {
  'ledger-entry': { archiveAfterDays: 730, deleteAfterDays: 2557 },
  'policy-evaluation': { deleteAfterDays: 2557 },
  'webhook-delivery': { deleteAfterDays: 365 },
};
const sealed = (subject: string) => ({
  $pii: { v: 1, subject, kid: 'kek-test', iv: 'aXY=', ct: 'Y3Q=' },
});

let ctx: TestContext;
let store: ReturnType<typeof createEventStore>;
let dir: string;
let sweep: RetentionSweep;

const ctxAt = (now = NOW) => ({
  actor: 'user:dpo',
  correlationId: randomUUID(),
  reason: 'quarterly retention',
  now,
});

async function ledger(id: string, at: string, workloadId: string, data: object = {}) {
  await ctx.pool.query(
    `INSERT INTO ledger_entries (event_id, topic, source, source_service, type, event_type,
       trail_kind, occurred_at, links, data, kafka_partition, kafka_offset, recorded_at)
     VALUES ($1, 't', '/trainyard/planning', 'planning', 'dev.trainyard.planning.WorkloadRegistered.v1',
       'WorkloadRegistered', 'change-request', $2, $3, $4, 0, '0', $2)`,
    [
      id,
      at,
      JSON.stringify([{ kind: 'workload', id: workloadId }]),
      JSON.stringify({ workloadId, ...data }),
    ],
  );
}

async function evaluation(id: string, at: string, workloadId: string) {
  await ctx.pool.query(
    `INSERT INTO policy_evaluations (evaluation_id, subject_type, subject_id, trigger, policy_id,
       bundle_version, evaluator_version, result, facts, explanation, evaluated_by, evaluated_at)
     VALUES ($1, 'workload', $2, 'workload-registered', 'cc', '1.0.0', 'e1', 'allowed', '{}', '[]', 'compliance', $3)`,
    [id, workloadId, at],
  );
}

async function delivery(id: string, at: string, status: string, workloadId: string) {
  await ctx.pool.query(
    `INSERT INTO webhook_deliveries (delivery_id, subscriber_id, event_id, event_type, body, status,
       next_attempt_at, created_at) VALUES ($1, 'grc', $1, 'ChangeSignedOff', $2, $3, $4, $4)`,
    [id, JSON.stringify({ id, data: { workloadId } }), status, at],
  );
}

const ids = async (table: string, column: string) =>
  (
    await ctx.pool.query<{ id: string }>(`SELECT ${column} AS id FROM ${table} ORDER BY 1`)
  ).rows.map((r) => r.id);

const placeHold = (holdId: string, scope: LegalHoldScope) =>
  handleCommand(
    store,
    PRIVACY_REGISTER_STREAM,
    privacyDecider,
    {
      type: 'PlaceLegalHold',
      data: { holdId, scope },
      metadata: { ...ctxAt(), actor: 'user:legal' },
    },
    { ...ctxAt(), actor: 'user:legal' },
    { context: { footprint: [] } },
  );

beforeAll(async () => {
  ctx = await retentionTestContext('retention_sweep');
  store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
  dir = await mkdtemp(join(tmpdir(), 'trainyard-record-archive-'));
  sweep = new RetentionSweep(ctx.pool, ctx.schema, { policy: POLICY, archiveDir: dir });
});

afterAll(async () => {
  await store.close();
  await ctx.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('retention sweep', () => {
  it('deletes and archives what is due, keeps what holds cover and what is young, and records it', async () => {
    await ledger('L-old', daysAgo(3000), 'W-1');
    await ledger('L-old-held', daysAgo(3000), 'W-HELD');
    await ledger('L-old-person', daysAgo(2600), 'W-2', { requester: sealed('emp-9') });
    await ledger('L-mid-1', daysAgo(1000), 'W-3');
    await ledger('L-mid-2', daysAgo(900), 'W-4');
    await ledger('L-young', daysAgo(10), 'W-5');
    await evaluation('E-old', daysAgo(2600), 'W-1');
    await evaluation('E-old-held', daysAgo(2600), 'W-HELD');
    await evaluation('E-young', daysAgo(100), 'W-1');
    await delivery('D-delivered', daysAgo(500), 'delivered', 'W-1');
    await delivery('D-dead', daysAgo(600), 'dead', 'W-1');
    await delivery('D-pending', daysAgo(600), 'pending', 'W-1');
    await delivery('D-young', daysAgo(30), 'delivered', 'W-1');
    await delivery('D-in-range', daysAgo(400), 'dead', 'W-7');
    await placeHold('H-W', { kind: 'workload', id: 'W-HELD' });
    await placeHold('H-P', { kind: 'person', id: 'emp-9' });
    const range = { from: daysAgo(401), to: daysAgo(399) };
    await placeHold('H-T', { kind: 'time-range', ...range });
    await placeHold('H-released', { kind: 'workload', id: 'W-1' });
    await handleCommand(
      store,
      PRIVACY_REGISTER_STREAM,
      privacyDecider,
      { type: 'ReleaseLegalHold', data: { holdId: 'H-released' }, metadata: ctxAt() },
      ctxAt(),
      { context: { footprint: [] } },
    );

    const report = await sweep.run(ctxAt());

    expect(await ids('ledger_entries', 'event_id')).toEqual([
      'L-old-held',
      'L-old-person',
      'L-young',
    ]);
    expect(await ids('policy_evaluations', 'evaluation_id')).toEqual(['E-old-held', 'E-young']);
    // Pending deliveries are never governed; the time-range hold keeps a dead letter of its days.
    expect(await ids('webhook_deliveries', 'delivery_id')).toEqual([
      'D-in-range',
      'D-pending',
      'D-young',
    ]);
    expect(report.recorded).toEqual([
      'RecordsPurged',
      'RecordsArchived',
      'RecordsPurged',
      'RecordsPurged',
    ]);

    const stored = await store.readStream(PRIVACY_REGISTER_STREAM);
    const purged = stored
      .filter((e) => e.type === 'RecordsPurged')
      .map((e) => e.data as RecordsPurged['data']);
    expect(purged).toEqual([
      expect.objectContaining({
        recordType: 'ledger-entry',
        cutoff: daysAgo(2557),
        count: 1,
        heldBack: expect.arrayContaining([
          { holdId: 'H-W', records: 1 },
          { holdId: 'H-P', records: 1 },
        ]) as unknown,
        purgedBy: 'user:dpo',
        purgedAt: NOW,
      }),
      expect.objectContaining({
        recordType: 'policy-evaluation',
        count: 1,
        heldBack: [{ holdId: 'H-W', records: 1 }],
      }),
      expect.objectContaining({
        recordType: 'webhook-delivery',
        cutoff: daysAgo(365),
        count: 2,
        heldBack: [{ holdId: 'H-T', records: 1 }],
      }),
    ]);
    const archived = stored.find((e) => e.type === 'RecordsArchived')!
      .data as RecordsArchived['data'];
    expect(archived).toMatchObject({
      recordType: 'ledger-entry',
      cutoff: daysAgo(730),
      count: 2,
      firstRecordedAt: daysAgo(1000),
      lastRecordedAt: daysAgo(900),
    });
    expect(stored.at(-1)!.metadata).toMatchObject({
      actor: 'user:dpo',
      reason: 'quarterly retention',
    });
    const lines = (await readFile(join(dir, archived.file), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['L-mid-1', 'L-mid-2']);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      row: { event_id: 'L-mid-1', data: { workloadId: 'W-3' } },
    });
    await expect(verifyRecordArchives(ctx.pool, ctx.schema, dir)).resolves.toMatchObject({
      ok: true,
    });

    // Nothing more is due: a second pass removes nothing and records nothing.
    const again = await sweep.run(ctxAt());
    expect(again.recorded).toEqual([]);
    expect((await store.readStream(PRIVACY_REGISTER_STREAM)).length).toBe(stored.length);
  });

  it('rolls the whole pass back when a legal hold is placed while it runs', async () => {
    await ledger('L-race', daysAgo(3000), 'W-RACE');
    const before = (await store.readStream(PRIVACY_REGISTER_STREAM)).length;
    const holder = await ctx.pool.connect();
    try {
      await holder.query('BEGIN');
      // A hold appended (not yet committed) at the register's next version, as PlaceLegalHold does.
      await appendInTransaction(holder, ctx.schema, [
        {
          streamId: PRIVACY_REGISTER_STREAM,
          expectedVersion: before,
          events: [
            {
              type: 'LegalHoldPlaced',
              data: {
                holdId: 'H-RACE',
                scope: { kind: 'workload', id: 'W-RACE' },
                reason: 'subpoena',
                placedBy: 'user:legal',
                placedAt: NOW,
              },
              metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'user:legal' },
            },
          ],
        },
      ]);
      const pass = sweep.run(ctxAt());
      const outcome = pass.then(
        () => 'committed',
        (error: unknown) => String(error),
      );
      // The pass has deleted L-race and now waits on the hold's uncommitted version.
      await waitFor(
        async () => {
          const { rows } = await ctx.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE $1`,
            [`INSERT INTO "${ctx.schema}".events%`],
          );
          return rows[0]!.n > 0;
        },
        { timeoutMs: 30_000, description: 'the pass waiting on the hold' },
      );
      await holder.query('COMMIT');
      expect(await outcome).toMatch(/duplicate key|events_pkey|unique/i);
    } finally {
      holder.release();
    }
    expect(await ids('ledger_entries', 'event_id')).toContain('L-race');
    const next = await sweep.run(ctxAt());
    expect(next.recorded).toEqual([]);
    expect(await ids('ledger_entries', 'event_id')).toContain('L-race');
  });

  it('names the edited line and record of an archive file, and an edited manifest', async () => {
    const { rows } = await ctx.pool.query<{ data: RecordsArchived['data'] }>(
      `SELECT data FROM events WHERE event_type = 'RecordsArchived'`,
    );
    const file = join(dir, rows[0]!.data.file);
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('"W-4"', '"W-X"'));
    const edited = await verifyRecordArchives(ctx.pool, ctx.schema, dir);
    expect(edited.ok).toBe(false);
    expect(edited.firstFailure).toBe(`${rows[0]!.data.file}: line 2 (record L-mid-2) was changed`);

    // Rewriting the manifest to match the edited file is caught by the root sealed in the log.
    const manifestFile = file.replace(/\.ndjson$/, '.manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
      entries: { id: string; leaf: string }[];
    };
    const editedLines = (await readFile(file, 'utf8')).trim().split('\n');
    manifest.entries[1]!.leaf = leafHash(Buffer.from(editedLines[1]!)).toString('hex');
    await writeFile(manifestFile, JSON.stringify(manifest));
    expect((await verifyRecordArchives(ctx.pool, ctx.schema, dir)).firstFailure).toMatch(
      /file and manifest changed/,
    );

    await writeFile(file, original);
    expect((await verifyRecordArchives(ctx.pool, ctx.schema, dir)).firstFailure).toMatch(
      /manifest\.json was changed/,
    );
    await rm(file);
    expect((await verifyRecordArchives(ctx.pool, ctx.schema, dir)).firstFailure).toMatch(
      /is missing/,
    );
  });
});
