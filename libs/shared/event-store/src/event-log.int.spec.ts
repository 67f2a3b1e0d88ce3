import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tamperAsSuperuser, waitFor } from '@trainyard/testing';
import { fileCheckpointPublisher } from './checkpoint-directory';
import { COMMIT_FRONTIER } from './commit-frontier.sql';
import { EventSealer } from './event-sealer';
import { eventStoreSchemas } from './event-store-schemas.fixture';
import { readConsistencyProof, readInclusionProof } from './event-tree.query';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle-tree';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore } from './postgres-event-store';
import { CheckpointSigner, verifySignedCheckpoint } from './signed-checkpoint';
import type { SignedTreeCheckpoint } from './signed-checkpoint';
import { verifyEventLog } from './verify-log';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const signer = new CheckpointSigner(
  'trainyard.test/event-log',
  generateKeyPairSync('ed25519').privateKey,
);

const db = eventStoreSchemas('event_log');

interface SealedStore {
  readonly schema: string;
  /** Event positions in commit-safe order, i.e. by leaf index. */
  readonly positions: bigint[];
  /** Signed at 6 and at 12 events: kept outside the database, as an auditor would. */
  readonly earlier: SignedTreeCheckpoint;
  readonly latest: SignedTreeCheckpoint;
}

function sealerFor(
  schema: string,
  publishers: Parameters<typeof fileCheckpointPublisher>[0][] = [],
): EventSealer {
  // Batches of 4: 12 events make the batches [0,4) [4,6) [6,10) [10,12), so tests cross batch borders.
  return new EventSealer(db.pool, schema, {
    batchSize: 4,
    checkpoints: { signer, publishers: publishers.map(fileCheckpointPublisher) },
  });
}

/**
 * A fresh event store schema with 12 events over 4 streams, sealed, with a checkpoint signed at 6
 * and at 12. Tampering destroys it, so one per test. More than 9 events on purpose: a regression
 * once sorted positions as text ('10' < '9'). Built again (a new schema, the checkpoint directory
 * emptied) when a sealing pass did not see every event it was given, so the batch borders the
 * tests tamper with are always the same (see sealAll).
 */
async function sealedStore(events = 12, checkpointDir?: string): Promise<SealedStore> {
  for (let attempt = 1; ; attempt++) {
    if (checkpointDir) rmSync(checkpointDir, { recursive: true, force: true });
    const built = await buildSealedStore(events, checkpointDir);
    if (built) return built;
    if (attempt === 5) throw new Error('5 sealed stores in a row had a sealing pass cut short');
  }
}

async function buildSealedStore(
  events: number,
  checkpointDir?: string,
): Promise<SealedStore | undefined> {
  const schema = await db.freshSchema();
  const store = createEventStore(db.pool, schema, { crossProcessSignal: false });
  const sealer = sealerFor(schema, checkpointDir ? [checkpointDir] : []);
  const streams = [freshStreamId('a'), freshStreamId('b'), freshStreamId('c'), freshStreamId('d')];
  const signed: SignedTreeCheckpoint[] = [];
  let onePass = true;
  for (let i = 0; i < events; i += 2) {
    const batch = [newEvent('AmountRecorded', { amount: i, note: { by: 'x', at: i } })];
    if (i + 1 < events)
      batch.push(newEvent('AmountRecorded', { amount: i + 1, note: { by: 'y', at: i + 1 } }));
    await store.append(streams[(i / 2) % streams.length]!, batch);
    if (i + 2 === Math.min(6, events) || i + 2 >= events) {
      onePass = (await sealAll(sealer, Math.min(i + 2, events))) && onePass;
      signed.push(await sealer.signCheckpoint());
    }
  }
  await store.close();
  if (!onePass) return undefined;
  if (events === 0) signed.push(await sealer.signCheckpoint());
  return {
    schema,
    positions: await db.positionsInCommitOrder(schema),
    earlier: signed[0]!,
    latest: signed[signed.length - 1]!,
  };
}

const treeSize = async (schema: string): Promise<number> => {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT coalesce(max(tree_size), 0)::int AS n FROM "${schema}".event_tree_batches`,
  );
  return rows[0]!.n;
};

/**
 * Seals the first `size` events: waits until all of them are below the commit frontier (another
 * test's open transaction in this database may hold it back for a moment), then seals until the
 * tree has them all. Says whether one pass did it, so that the batch borders are those of batchSize
 * alone. A pass can see a lower frontier than the wait did: a transaction of another database that
 * ends between the pass's snapshot and its read of pg_stat_activity counts as in flight here (the
 * safe side, see commit-frontier.sql.ts), so on a server shared with other work the pass stops short
 * and the next one seals the rest.
 */
async function sealAll(sealer: EventSealer, size: number): Promise<boolean> {
  await waitFor(
    async () => {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${sealer.schema}".events e WHERE e.transaction_id < ${COMMIT_FRONTIER}`,
      );
      return rows[0]!.n >= size;
    },
    { description: `${size} events commit-safe` },
  );
  let passes = 0;
  await waitFor(
    async () => {
      passes++;
      await sealer.sealPending();
      return (await treeSize(sealer.schema)) >= size;
    },
    { description: `${size} events sealed` },
  );
  expect(await treeSize(sealer.schema)).toBe(size);
  return passes === 1;
}

const verify = (s: SealedStore) =>
  verifyEventLog(db.pool, s.schema, {
    checkpoints: [s.earlier.note, s.latest.note],
    verifierKey: signer.verifierKey,
  });

/** What verification reports for a tampered store. */
function tampered(
  firstBadLeaf: number | null,
  firstBadPosition: bigint | null,
  reason: RegExp,
): Record<string, unknown> {
  return { ok: false, firstBadLeaf, firstBadPosition, reason: expect.stringMatching(reason) };
}

describe('an untouched store', () => {
  it('verifies against both checkpoints, and reports events newer than the tree as not yet covered', async () => {
    const sealed = await sealedStore();
    expect(sealed.earlier.treeSize).toBe(6);
    expect(sealed.latest.treeSize).toBe(12);
    expect(await verify(sealed)).toMatchObject({
      ok: true,
      checked: 12,
      unsealed: 0,
      checkpointsVerified: 2,
      rootHash: sealed.latest.rootHash.toString('hex'),
    });
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${sealed.schema}".event_tree_batches`,
    );
    expect(rows[0]!.n).toBe(4); // one row per batch, not per event

    const store = createEventStore(db.pool, sealed.schema, { crossProcessSignal: false });
    await store.append(freshStreamId(), [newEvent('Late', {}), newEvent('Late', {})]);
    await store.close();
    expect(await verify(sealed)).toMatchObject({ ok: true, checked: 12, unsealed: 2 });

    await sealAll(sealerFor(sealed.schema), 14);
    expect(await verify(sealed)).toMatchObject({
      ok: true,
      checked: 14,
      unsealed: 0,
      checkpointsVerified: 2,
    });
  });

  it('verifies when empty', async () => {
    const sealed = await sealedStore(0);
    expect(sealed.latest.treeSize).toBe(0);
    expect(await verify(sealed)).toEqual({
      ok: true,
      checked: 0,
      unsealed: 0,
      checkpointsVerified: 2,
      rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('verifies microsecond timestamps and rows written outside the store', async () => {
    const sealed = await sealedStore(0);
    await db.pool.query(
      `INSERT INTO "${sealed.schema}".events (stream_id, stream_version, event_type, data, metadata, recorded_at)
       VALUES ('imported-1', 1, 'Imported', '{"z": 1, "a": {"y": [3, 1.5, "x"], "b": null}}',
               '{"actor": "user:ops", "eventId": "e-1", "correlationId": "c-1"}', '2026-03-01 12:00:00.123457+05:30')`,
    );
    await sealAll(sealerFor(sealed.schema), 1);
    expect(await verify(sealed)).toMatchObject({ ok: true, checked: 1 });

    await tamperAsSuperuser(
      db.pool,
      sealed.schema,
      `UPDATE events SET recorded_at = recorded_at + interval '1 microsecond'`,
    );
    expect(await verify(sealed)).toMatchObject({ ok: false, firstBadLeaf: 0 });
  });

  it('serves RFC 6962 proofs from the stored tree that verify against the signed roots', async () => {
    const sealed = await sealedStore();
    verifySignedCheckpoint(sealed.latest.note, signer.verifierKey);
    for (let leaf = 0; leaf < 12; leaf++) {
      const proof = await readInclusionProof(db.pool, sealed.schema, leaf, 12);
      expect(proof.event.position).toBe(sealed.positions[leaf]);
      expect(proof.rootHash).toEqual(sealed.latest.rootHash);
      expect(
        verifyInclusion(leafHash(proof.leafData), leaf, 12, proof.proof, sealed.latest.rootHash),
      ).toBe(true);
    }
    for (let leaf = 0; leaf < 6; leaf++) {
      const early = await readInclusionProof(db.pool, sealed.schema, leaf, 6);
      expect(
        verifyInclusion(leafHash(early.leafData), leaf, 6, early.proof, sealed.earlier.rootHash),
      ).toBe(true);
    }
    const consistency = await readConsistencyProof(db.pool, sealed.schema, 6, 12);
    expect(
      verifyConsistency(6, 12, sealed.earlier.rootHash, sealed.latest.rootHash, consistency.proof),
    ).toBe(true);
    await expect(readInclusionProof(db.pool, sealed.schema, 12, 12)).rejects.toThrow(
      /not in a tree of 12/,
    );
    await expect(readConsistencyProof(db.pool, sealed.schema, 6, 13)).rejects.toThrow(
      /exceeds the sealed tree/,
    );
  });
});

describe('tampering is found at the first bad position', () => {
  type Case = [
    name: string,
    sql: (p: bigint[]) => string,
    leaf: number | null,
    position: (p: bigint[]) => bigint | null,
    reason: RegExp,
  ];
  const cases: Case[] = [
    [
      'changed data',
      (p) => `UPDATE events SET data = '{"amount": 1000000}' WHERE position = ${p[4]}`,
      4,
      (p) => p[4]!,
      /leaf 4 .* does not match its sealed leaf hash/,
    ],
    [
      'changed metadata',
      (p) =>
        `UPDATE events SET metadata = metadata || '{"actor": "user:mallory"}' WHERE position = ${p[6]}`,
      6,
      (p) => p[6]!,
      /changed/,
    ],
    [
      'changed type',
      (p) => `UPDATE events SET event_type = 'AmountWaived' WHERE position = ${p[9]}`,
      9,
      (p) => p[9]!,
      /changed/,
    ],
    [
      'changed time',
      (p) =>
        `UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE position = ${p[2]}`,
      2,
      (p) => p[2]!,
      /changed/,
    ],
    [
      'removed event',
      (p) => `DELETE FROM events WHERE position = ${p[2]}`,
      2,
      (p) => p[3]!,
      /event sealed at leaf 2 is missing before position \d+ \(removed\)/,
    ],
    [
      'removed last event',
      (p) => `DELETE FROM events WHERE position = ${p[11]}`,
      11,
      (p) => p[11]!,
      /leaves 11\.\.11 .* are missing \(removed\)/,
    ],
    [
      'inserted event inside the sealed tree',
      (
        p,
      ) => `INSERT INTO events (position, transaction_id, stream_id, stream_version, event_type, data, metadata)
              OVERRIDING SYSTEM VALUE
              SELECT 1000000000, transaction_id, 'forged', 1, 'AmountRecorded', '{"amount": 1}', metadata
                FROM events WHERE position = ${p[3]}`,
      // Events 0-3 share transactions pairwise; the forged one sorts right after event 3's transaction.
      4,
      () => 1_000_000_000n,
      /inserted/,
    ],
    [
      'reordered (commit order changed, contents untouched)',
      // Events come in pairs per transaction: the pair 8, 9 moves in front of the pair 2, 3.
      (p) => `UPDATE events e SET transaction_id = o.transaction_id FROM events o
               WHERE (e.position, o.position) IN ((${p[2]}, ${p[8]}), (${p[3]}, ${p[9]}), (${p[8]}, ${p[2]}), (${p[9]}, ${p[3]}))`,
      2,
      (p) => p[8]!,
      /reordered/,
    ],
    [
      'swapped data of two events',
      (p) =>
        `UPDATE events e SET data = o.data FROM events o WHERE (e.position, o.position) IN ((${p[3]}, ${p[8]}), (${p[8]}, ${p[3]}))`,
      3,
      (p) => p[3]!,
      /changed/,
    ],
    [
      'changed leaf hash in a batch',
      () =>
        `UPDATE event_tree_batches SET node_hashes = overlay(node_hashes PLACING sha256('forged') FROM 1 FOR 32) WHERE start_size = 6`,
      6,
      (p) => p[6]!,
      /leaf 6 .* does not match/,
    ],
    [
      'changed inner node in a batch',
      () =>
        `UPDATE event_tree_batches SET node_hashes = overlay(node_hashes PLACING sha256('forged') FROM 65 FOR 32) WHERE start_size = 0`,
      0,
      (p) => p[0]!,
      /stored tree nodes of the batch for leaves 0\.\.3 were changed/,
    ],
    [
      'changed batch root',
      () => `UPDATE event_tree_batches SET root_hash = sha256('forged') WHERE start_size = 4`,
      4,
      (p) => p[4]!,
      /stored root of the batch for leaves 4\.\.5 was changed/,
    ],
    [
      'removed batch',
      () => `DELETE FROM event_tree_batches WHERE start_size = 4`,
      4,
      (p) => p[4]!,
      /batches covering leaves 4\.\.5 are missing/,
    ],
    [
      'newest events removed together with their batches (only the checkpoint knows)',
      (p) =>
        `DELETE FROM events WHERE position IN (${p[10]}, ${p[11]}); DELETE FROM event_tree_batches WHERE start_size = 10`,
      10,
      () => null,
      /commits to 12 events, the sealed tree holds 10: the events at leaves 10\.\.11 \(after position \d+\) were removed together with their seals/,
    ],
  ];

  it.each(cases)('%s', async (_name, sql, leaf, position, reason) => {
    const sealed = await sealedStore();
    await tamperAsSuperuser(db.pool, sealed.schema, sql(sealed.positions));
    expect(await verify(sealed)).toMatchObject(tampered(leaf, position(sealed.positions), reason));
  });

  it('an event changed and the whole tree re-sealed: the signed checkpoints reveal it', async () => {
    const sealed = await sealedStore();
    await tamperAsSuperuser(
      db.pool,
      sealed.schema,
      `UPDATE events SET data = '{"amount": -1}' WHERE position = ${sealed.positions[8]}; DELETE FROM event_tree_batches`,
    );
    await sealAll(sealerFor(sealed.schema), 12);
    expect(await verifyEventLog(db.pool, sealed.schema)).toMatchObject({ ok: true, checked: 12 }); // consistent in itself
    expect(await verify(sealed)).toMatchObject(
      tampered(
        6,
        sealed.positions[6]!,
        /leaves 6\.\.11 do not hash to the root signed for size 12/,
      ),
    );
  });

  it('a forged checkpoint is refused', async () => {
    const sealed = await sealedStore();
    const forger = new CheckpointSigner(signer.keyName, generateKeyPairSync('ed25519').privateKey);
    const forged = forger.sign({
      origin: sealed.latest.origin,
      treeSize: 12,
      rootHash: sealed.latest.rootHash,
    });
    const result = await verifyEventLog(db.pool, sealed.schema, {
      checkpoints: [forged.note],
      verifierKey: signer.verifierKey,
    });
    expect(result).toMatchObject(tampered(null, null, /not signed by trainyard.test\/event-log/));
  });
});

describe('npm run audit:verify', () => {
  function auditVerify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
        ['tools/scripts/audit-verify.ts', ...args],
        { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: db.databaseUrl }, timeout: 30_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
        },
      );
    });
  }

  it('exits 0 on an intact log, 1 once the newest events are removed with their seals, 2 for an unknown service', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trainyard-checkpoints-'));
    try {
      const sealed = await sealedStore(12, path.join(dir, 'published'));
      const vkey = path.join(dir, 'log.vkey');
      writeFileSync(vkey, `${signer.verifierKey}\n`);
      const kept = path.join(dir, 'kept-by-auditor.checkpoint');
      writeFileSync(kept, sealed.earlier.note);
      const args = [
        '--service',
        sealed.schema,
        '--checkpoint-dir',
        path.join(dir, 'published'),
        '--trusted-checkpoint',
        kept,
        '--vkey',
        vkey,
      ];

      const [intact, unknown] = await Promise.all([
        auditVerify(args),
        auditVerify(['--service', `${sealed.schema}_missing`, '--checkpoint-dir', dir]),
      ]);
      expect(intact).toEqual({
        code: 0,
        stdout: `verified 12 events in ${sealed.schema}, tree intact, root ${sealed.latest.rootHash.toString('hex')}, 2 signed checkpoints consistent (0 newer events not yet sealed)`,
        stderr: '',
      });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe(
        `unknown service "${sealed.schema}_missing": no event store in schema ${sealed.schema}_missing`,
      );

      await tamperAsSuperuser(
        db.pool,
        sealed.schema,
        `DELETE FROM events WHERE position = ${sealed.positions[11]}; DELETE FROM event_tree_batches WHERE start_size = 10`,
      );
      const tampered = await auditVerify(args);
      expect(tampered.code).toBe(1);
      expect(tampered.stdout).toMatch(/^TAMPERED: first bad position \d+ \(leaf 10\): /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
