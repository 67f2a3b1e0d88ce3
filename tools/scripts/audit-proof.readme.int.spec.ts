import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import {
  CheckpointSigner,
  EventSealer,
  createEventStore,
  migrateEventStore,
} from '@trainyard/event-store';
import { testDatabaseUrl } from '@trainyard/testing';

// The README's auditor example (`verify_log.py`: Python's hashlib and the `cryptography` package,
// no Trainyard code) checks a checkpoint and an inclusion proof printed by `npm run audit:proof`.
// This runs the README's own text against a real log, so the documented format, the example and
// the implementation cannot drift apart, and an independent SHA-256/Ed25519 stack agrees with ours.

const ROOT = join(__dirname, '..', '..');
const PYTHON = process.env.TRAINYARD_PYTHON ?? '/usr/bin/python3';
const schema = `readme_proof_${randomBytes(4).toString('hex')}`;
const pool = new Pool({ connectionString: testDatabaseUrl(), max: 3 });
const signer = new CheckpointSigner(
  'trainyard.test/readme',
  generateKeyPairSync('ed25519').privateKey,
);
const EVENTS = 23; // not a power of two: the right edge of the tree has a lone subtree
let work: string;
let verifyLog: string;
let vkeyFile: string;
let checkpointFile: string;
let checkpointNote: string;

/** The Python block the README introduces as `verify_log.py`, exactly as printed. */
function readmeVerifier(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const intro = readme.indexOf('saved as `verify_log.py`');
  if (intro < 0) throw new Error('README no longer introduces verify_log.py');
  const start = readme.indexOf('```python\n', intro);
  const end = readme.indexOf('\n```', start + 1);
  return readme.slice(start + '```python\n'.length, end + 1);
}

function auditProof(leaf: number, treeSize: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
        join(ROOT, 'tools', 'scripts', 'audit-proof.ts'),
        '--service',
        schema,
        '--leaf',
        String(leaf),
        '--tree-size',
        String(treeSize),
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: testDatabaseUrl() } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`audit:proof failed: ${stderr}`)) : resolve(stdout),
    ),
  );
}

function python(
  checkpoint: string,
  proof: string,
): Promise<{ code: number | null; out: string; err: string }> {
  const proofFile = join(work, `proof-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(proofFile, proof);
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [verifyLog, checkpoint, vkeyFile, proofFile]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (error) =>
      reject(
        new Error(
          `${PYTHON} failed (needs Debian's python3-cryptography; .ci/run installs it): ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  await migrateEventStore(pool, schema);
  const store = createEventStore(pool, schema, { crossProcessSignal: false });
  for (let i = 0; i < EVENTS; i++)
    await store.append(`readme-${i % 5}`, [
      {
        type: 'AmountRecorded',
        data: { amount: i, note: `caf\u00e9 \u{1F682} ${i}` },
        metadata: { eventId: `e-${i}`, correlationId: 'c', actor: 'user:auditor' },
      },
    ]);
  await store.close();
  const sealer = new EventSealer(pool, schema, { checkpoints: { signer } });
  while ((await sealer.sealPending()) > 0);
  checkpointNote = (await sealer.signCheckpoint()).note;
  await sealer.stop();
  work = mkdtempSync(join(tmpdir(), 'readme-proof-'));
  verifyLog = join(work, 'verify_log.py');
  writeFileSync(verifyLog, readmeVerifier());
  vkeyFile = join(work, 'checkpoint-key.pem.vkey');
  writeFileSync(vkeyFile, `${signer.verifierKey}\n`);
  checkpointFile = join(work, 'cp.txt');
  writeFileSync(checkpointFile, checkpointNote);
}, 60_000);

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the README's Python verifier on a real log", () => {
  it('proves the first, a middle and the last leaf included under the signed checkpoint', async () => {
    expect(checkpointNote.split('\n')[1]).toBe(String(EVENTS));
    for (const leaf of [0, 11, EVENTS - 1]) {
      const result = await python(checkpointFile, await auditProof(leaf, EVENTS));
      expect(result).toEqual({
        code: 0,
        out: `trainyard.test/readme: leaf ${leaf} of ${EVENTS}: included\n`,
        err: '',
      });
    }
  }, 60_000);

  it('refuses a proof whose leaf data was changed by one byte', async () => {
    const proof = JSON.parse(await auditProof(6, EVENTS)) as { leafData: string };
    const bytes = Buffer.from(proof.leafData, 'base64');
    bytes[bytes.length >> 1]! ^= 0x01;
    const result = await python(
      checkpointFile,
      JSON.stringify({ ...proof, leafData: bytes.toString('base64') }),
    );
    expect(result.code).toBe(1);
    expect(result.out).toBe(`trainyard.test/readme: leaf 6 of ${EVENTS}: NOT INCLUDED\n`);
  }, 60_000);

  it('refuses a proof for another tree size than the checkpoint', async () => {
    const result = await python(checkpointFile, await auditProof(6, EVENTS - 1));
    expect(result.code).toBe(1);
    expect(result.out).toContain('NOT INCLUDED');
  }, 60_000);

  it('raises InvalidSignature on a checkpoint whose root was replaced', async () => {
    const lines = checkpointNote.split('\n');
    lines[2] = randomBytes(32).toString('base64');
    const forged = join(work, 'forged.txt');
    writeFileSync(forged, lines.join('\n'));
    const result = await python(forged, await auditProof(0, EVENTS));
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('InvalidSignature');
  }, 60_000);
});
