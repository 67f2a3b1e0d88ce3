import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Pool } from 'pg';
import {
  EventSealer,
  createEventStore,
  fileCheckpointPublisher,
  loadOrCreateSigningKey,
  migrateEventStore,
  readCheckpointDirectory,
} from '@trainyard/event-store';
import type { PostgresEventStore } from '@trainyard/event-store';
import {
  POPULATION_CSV,
  exportEvidence,
  generateBundleSigningKey,
  readBundle,
  verifyBundle,
  writeBundleDirectory,
} from '@trainyard/evidence';
import type { PopulationFile, ReconciliationFile, ServiceLogSource } from '@trainyard/evidence';
import { appendScenario, planningLifecycle } from '@trainyard/planning-read-models/testing';
import { dropDatabaseOnceIdle, testDatabaseUrl } from '@trainyard/testing';
// The tamperings the unit spec checks on a bundle built in memory, here on one exported from PostgreSQL.
import { contentTamperings, manifestTamperings, resigned } from '@trainyard/evidence/testing';

const ROOT = join(__dirname, '..', '..');

/**
 * A database of its own, so the CLI finds planning's log in schema `planning` exactly as it does
 * on a platform started with `npm start`, without touching any other spec's schemas.
 */
const database = `t_cbundle_${randomBytes(4).toString('hex')}`;
const databaseUrl = testDatabaseUrl().replace(/\/[^/]*$/, `/${database}`);
const admin = new Pool({ connectionString: testDatabaseUrl(), max: 1 });
let pool: Pool;
let store: PostgresEventStore;
let auditDir: string;
let work: string;
let verifierKey: string;
let earlierCheckpoint: string;
let source: ServiceLogSource;

function run(
  script: string,
  args: readonly string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'tools', 'scripts', script), ...args],
      // The verifier gets no database at all: an unreachable URL proves it never needs one.
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL:
            script === 'audit-export.ts' ? databaseUrl : 'postgres://nobody@127.0.0.1:1/none',
          KAFKA_BROKERS: '127.0.0.1:1',
        },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  await admin.query(`CREATE DATABASE ${database}`);
  pool = new Pool({ connectionString: databaseUrl, max: 5 });
  await migrateEventStore(pool, 'planning');
  store = createEventStore(pool, 'planning');
  auditDir = mkdtempSync(join(tmpdir(), 'cbundle-audit-'));
  work = mkdtempSync(join(tmpdir(), 'cbundle-out-'));
  // The service's own checkpoint key and published directory, where the platform keeps them.
  const signer = loadOrCreateSigningKey(
    join(auditDir, 'planning', 'checkpoint-key.pem'),
    'trainyard.local/planning',
  );
  verifierKey = signer.verifierKey;
  const sealer = new EventSealer(pool, 'planning', {
    checkpoints: {
      signer,
      publishers: [fileCheckpointPublisher(join(auditDir, 'planning', 'checkpoints'))],
    },
  });
  const events = planningLifecycle().events;
  await appendScenario(store, events.slice(0, 5));
  earlierCheckpoint = (await sealer.signCheckpoint()).note;
  await appendScenario(store, events.slice(5));
  await sealer.signCheckpoint();
  // One event after the last checkpoint: reported, not covered.
  await appendScenario(
    store,
    events.slice(0, 1).map((e) => ({
      ...e,
      event: { ...e.event, data: { ...e.event.data, workloadId: 'W-late' } },
    })) as typeof events,
  );
  source = {
    service: 'planning',
    schema: 'planning',
    verifierKey,
    publishedCheckpoints: await readCheckpointDirectory(join(auditDir, 'planning', 'checkpoints')),
  };
}, 60_000);

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await dropDatabaseOnceIdle(admin, database);
  await admin.end();
  rmSync(auditDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const json = <T>(files: Map<string, Buffer>, path: string) =>
  JSON.parse(files.get(path)!.toString('utf8')) as T;

describe('evidence bundle from planning\u2019s log in PostgreSQL', () => {
  let files: Map<string, Buffer>;
  const key = generateBundleSigningKey();

  beforeAll(async () => {
    files = await exportEvidence(pool, [source], {
      scope: { kind: 'all' },
      createdAt: '2026-12-06T00:00:00.000Z',
      key,
    });
  });

  it('verifies: every event proven against the signed checkpoint, the log complete up to it', () => {
    const result = verifyBundle(files, {
      expectedFingerprint: key.fingerprint,
      trustedVerifierKeys: [verifierKey],
    });
    expect(result).toMatchObject({ ok: true, summary: { complete: true } });
    const rec = json<ReconciliationFile>(files, 'reconciliation.json');
    const planning = rec.services[0]!;
    expect(planning.eventsAfterCheckpoint).toBe(1);
    expect(planning.streamTypes.map((t) => t.streamType).sort()).toEqual([
      'api-version',
      'release',
      'workload',
    ]);
    expect(planning.streamTypes.reduce((n, t) => n + t.exported, 0)).toBe(planning.treeSize);
    expect(planning.treeSize).toBe(planningLifecycle().events.length);
    const population = json<PopulationFile>(files, 'population/changes.json');
    expect(population.changes.map((c) => c.changeId)).toEqual(
      expect.arrayContaining(['W-1', 'W-2', 'W-3']),
    );
    expect(population.changes.map((c) => c.changeId)).not.toContain('W-late');
  });

  it('a release scope holds its workloads and verifies', async () => {
    const scoped = await exportEvidence(pool, [source], {
      scope: { kind: 'release', releaseId: 'R-1' },
      createdAt: 'x',
      key,
    });
    expect(verifyBundle(scoped)).toMatchObject({ ok: true, summary: { complete: false } });
    const population = json<PopulationFile>(scoped, 'population/changes.json');
    expect(population.changes.length).toBeGreaterThan(0);
    expect(population.changes.every((c) => c.releaseIds.includes('R-1'))).toBe(true);
  });

  describe('tampered', () => {
    it.each([...contentTamperings('placeholder')].map((t) => [t.name, t] as const))(
      '%s fails, named',
      (_, t) => {
        const tampering = contentTamperings(earlierCheckpoint).find((c) => c.name === t.name)!;
        const plain = verifyBundle(tampering.edit(new Map(files)));
        expect(plain).toMatchObject({
          ok: false,
          check: 'file-digest',
          message: expect.stringMatching(tampering.says) as unknown,
        });
        const forged = verifyBundle(resigned(tampering.edit(new Map(files))));
        expect(forged).toMatchObject({
          ok: false,
          check: tampering.check,
          message: expect.stringMatching(tampering.says) as unknown,
        });
      },
    );

    it.each(manifestTamperings.map((t) => [t.name, t] as const))(
      '%s fails, named',
      (_, tampering) => {
        expect(verifyBundle(tampering.edit(new Map(files)))).toMatchObject({
          ok: false,
          check: tampering.check,
          message: expect.stringMatching(tampering.says) as unknown,
        });
      },
    );

    it('any single-byte edit to any file fails', () => {
      const paths = [...files.keys()].sort();
      fc.assert(
        fc.property(
          fc.constantFrom(...paths),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          (path, at, xor) => {
            const bytes = Buffer.from(files.get(path)!);
            bytes[at % bytes.length] = bytes[at % bytes.length]! ^ xor;
            expect(verifyBundle(new Map(files).set(path, bytes)).ok).toBe(false);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});

describe('npm run audit:export and audit:verify-bundle', () => {
  it('export a directory, verify it with no platform, then name an edited CSV cell', async () => {
    const out = join(work, 'bundle');
    const exported = await run('audit-export.ts', ['--out', out, '--audit-dir', auditDir]);
    expect(exported).toMatchObject({ code: 0 });
    // Discovery: every service is looked for; only planning has a log in this database.
    expect(exported.out).toContain('scheduling: no event store in schema scheduling');
    const fingerprint = /--expect-key ([0-9a-f]{64})/.exec(exported.out)?.[1];
    expect(fingerprint).toBeDefined();

    const vkey = join(auditDir, 'planning', 'checkpoint-key.pem.vkey');
    const verified = await run('audit-verify-bundle.ts', [
      out,
      '--expect-key',
      fingerprint!,
      '--trusted-key',
      vkey,
    ]);
    expect(verified.err).toBe('');
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.out).toContain('planning: checkpoint trainyard.local/planning');

    const csv = join(out, ...POPULATION_CSV.split('/'));
    const lines = readFileSync(csv, 'utf8').split('\r\n');
    lines[2] = lines[2]!.replace(/,(\d+),/, (_, n: string) => `,${Number(n) + 1},`);
    writeFileSync(csv, lines.join('\r\n'));
    const failed = await run('audit-verify-bundle.ts', [out]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(
      /^FAILED \(file-digest\) population\/changes\.csv: population\/changes\.csv was changed.*line 3/,
    );
  }, 240_000);

  it('export one tar archive for a workload and verify it', async () => {
    const out = join(work, 'w1.tar');
    // The checkpoint an auditor kept from an earlier bundle: this scoped one must prove it extends it.
    const kept = join(work, 'kept.checkpoint');
    writeFileSync(kept, earlierCheckpoint);
    const exported = await run('audit-export.ts', [
      '--out',
      out,
      '--workload',
      'W-1',
      '--archive',
      '--consistency-from',
      kept,
      '--audit-dir',
      auditDir,
      '--service',
      'planning',
    ]);
    expect(exported).toMatchObject({ code: 0 });
    const files = await readBundle(out);
    expect(
      json<PopulationFile>(files, 'population/changes.json').changes.map((c) => c.changeId),
    ).toEqual(['W-1']);
    const verified = await run('audit-verify-bundle.ts', [out, '--trusted-checkpoint', kept]);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.out).toContain('the logs extend the 1 checkpoint(s) you hold');
    expect(files.has('services/planning/consistency.json')).toBe(true);
  }, 240_000);

  it('usage errors exit 2 and an unknown workload exits 1, writing nothing', async () => {
    expect(
      await run('audit-export.ts', [
        '--out',
        join(work, 'x'),
        '--release',
        'R-1',
        '--workload',
        'W-1',
      ]),
    ).toMatchObject({ code: 2 });
    const none = await run('audit-export.ts', [
      '--out',
      join(work, 'none'),
      '--workload',
      'W-404',
      '--audit-dir',
      auditDir,
    ]);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no event in any service');
    expect(readdirSync(work)).not.toContain('none');
  }, 240_000);
});

/** The first ```<lang> block after `heading` in docs/evidence-bundle.md, as printed. */
function docBlock(heading: string, lang: 'sh' | 'python'): string {
  const doc = readFileSync(join(ROOT, 'docs', 'evidence-bundle.md'), 'utf8');
  const at = doc.indexOf(heading);
  const start = doc.indexOf(`\`\`\`${lang}\n`, at);
  if (at < 0 || start < 0)
    throw new Error(`docs/evidence-bundle.md: no ${lang} block after ${heading}`);
  const end = doc.indexOf('\n```', start + 1);
  return doc.slice(start + lang.length + 4, end + 1);
}

function shell(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    ),
  );
}

// The auditor's checks by hand (openssl, sha256sum, jq, Python's hashlib): the documented commands
// run as printed (their scratch files in a private directory instead of /tmp), so the document
// and the bundle cannot drift apart, and tools that share no code with Trainyard agree with it.
describe('docs/evidence-bundle.md: verifying by hand', () => {
  let dir: string;
  let scratch: string;
  let script: string;
  let python: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cbundle-hand-'));
    scratch = join(dir, 'scratch');
    mkdirSync(scratch);
    const files = await exportEvidence(pool, [source], {
      scope: { kind: 'all' },
      createdAt: '2026-12-06T00:00:00.000Z',
      key: generateBundleSigningKey(),
    });
    await writeBundleDirectory(join(dir, 'bundle'), files);
    script = join(dir, 'by-hand.sh');
    writeFileSync(
      script,
      docBlock('## Verifying by hand', 'sh').replaceAll('/tmp/', `${scratch}/`),
    );
    python = join(dir, 'verify_inclusion.py');
    writeFileSync(python, docBlock('## Verifying by hand', 'python'));
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('both signatures verify, every digest matches, no stray file, and the leaf hash is the record\u2019s', async () => {
    const { out, err } = await shell('bash', [script], dir);
    expect(err).toBe('');
    const lines = out.trim().split('\n');
    expect(lines.filter((l) => l === 'Signature Verified Successfully')).toHaveLength(2);
    const digests = lines.filter((l) => / OK$| FAILED/.test(l));
    const manifest = JSON.parse(readFileSync(join(dir, 'bundle', 'manifest.json'), 'utf8')) as {
      files: unknown[];
    };
    expect(digests).toHaveLength(manifest.files.length);
    expect(digests.every((l) => l.endsWith(': OK'))).toBe(true);
    const events = JSON.parse(
      readFileSync(join(dir, 'bundle', 'services', 'planning', 'events.json'), 'utf8'),
    ) as { streams: Record<string, { leafHash: string }[]> };
    // The last line: step 4's sha256sum of one event's leaf input, then the key fingerprint before it.
    expect(lines.at(-1)).toBe(`${events.streams['workload-W-1']![0]!.leafHash}  -`);
  }, 60_000);

  it('the Python inclusion check proves every event of the bundle', async () => {
    const { code, out, err } = await shell(
      'python3',
      [python, join(dir, 'bundle'), 'planning'],
      dir,
    );
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const lines = out.trim().split('\n');
    const events = JSON.parse(
      readFileSync(join(dir, 'bundle', 'services', 'planning', 'events.json'), 'utf8'),
    ) as { streams: Record<string, unknown[]> };
    expect(lines).toHaveLength(Object.values(events.streams).flat().length);
    expect(lines.every((l) => l.startsWith('OK  '))).toBe(true);
  }, 60_000);

  it('a changed byte in a file fails its digest, and a changed event fails its inclusion proof', async () => {
    const eventsFile = join(dir, 'bundle', 'services', 'planning', 'events.json');
    const original = readFileSync(eventsFile, 'utf8');
    writeFileSync(eventsFile, original.replace('Title of W-1', 'Title of W-9'));
    try {
      const hand = await shell('bash', [script], dir);
      expect(hand.out).toContain('services/planning/events.json: FAILED');
      const proofs = await shell('python3', [python, join(dir, 'bundle'), 'planning'], dir);
      expect(proofs.out).toMatch(/^FAIL /m);
    } finally {
      writeFileSync(eventsFile, original);
    }
  }, 60_000);
});
