import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { CheckpointSigner, canonicalEventBytes, leafHash } from '@trainyard/event-store';
import { assembleBundle, EmptyScopeError } from './assemble-bundle';
import type { ServiceLogInput } from './assemble-bundle';
import { generateBundleSigningKey } from './bundle-signing';
import type { BundleScope, PopulationFile, ReconciliationFile } from './bundle.types';
import {
  CHANGE_EVENTS_CSV,
  MANIFEST_FILE,
  POPULATION_CSV,
  POPULATION_JSON,
  RECONCILIATION_JSON,
} from './bundle.types';
import { contentTamperings, manifestTamperings, resigned } from './bundle-tampering.fixture';
import type { Tampering } from './bundle-tampering.fixture';
import { InMemoryTree } from './merkle-proofs';
import { readTar, writeTar } from './tar-archive';
import { verifyBundle } from './verify-bundle';
import { rootOfLeaves, verifyInclusion } from '@trainyard/event-store';

interface Spec {
  readonly streamId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly at: string;
  readonly actor?: string;
}

/** A service's log in memory: canonical events, a signer, and checkpoints at `sizes`. */
function serviceLog(service: string, specs: readonly Spec[]) {
  const signer = new CheckpointSigner(
    `trainyard.test/${service}`,
    generateKeyPairSync('ed25519').privateKey,
  );
  const versions = new Map<string, number>();
  const events = specs.map((s, i) => {
    const streamVersion = (versions.get(s.streamId) ?? 0) + 1;
    versions.set(s.streamId, streamVersion);
    return {
      leafIndex: i,
      canonical: canonicalEventBytes({
        position: BigInt(i + 1),
        streamId: s.streamId,
        streamVersion,
        type: s.type,
        schemaVersion: 1,
        data: s.data,
        metadata: { eventId: randomUUID(), correlationId: 'c', actor: s.actor ?? 'user:alice' },
        recordedAt: s.at,
      }).toString('utf8'),
    };
  });
  const checkpointAt = (size: number) => {
    const tree = new InMemoryTree(
      events.slice(0, size).map((e) => leafHash(Buffer.from(e.canonical))),
    );
    return signer.sign({ origin: signer.keyName, treeSize: size, rootHash: tree.root() }).note;
  };
  const input: ServiceLogInput = {
    service,
    checkpointNote: checkpointAt(events.length),
    verifierKey: signer.verifierKey,
    events,
    eventsAfterCheckpoint: 2,
  };
  return { input, checkpointAt, signer };
}

const t = (day: number, hour = 10) =>
  `2026-0${day < 10 ? 1 : 2}-${String(day < 10 ? day : day - 9).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000000Z`;

const planningSpecs: Spec[] = [
  {
    streamId: 'workload-W-1',
    type: 'WorkloadRegistered',
    data: { workloadId: 'W-1', title: 'Checkout redesign', team: 'payments' },
    at: t(1),
  },
  {
    streamId: 'workload-W-2',
    type: 'WorkloadRegistered',
    data: { workloadId: 'W-2', title: 'Ledger, "v2"', team: 'finance' },
    at: t(2),
  },
  {
    streamId: 'release-T/R-1',
    type: 'ReleasePlanned',
    data: { releaseId: 'R-1', trainId: 'T' },
    at: t(3),
  },
  {
    streamId: 'release-T/R-1',
    type: 'ReleaseWorkloadIncluded',
    data: { releaseId: 'R-1', workloadId: 'W-1' },
    at: t(4),
  },
  {
    streamId: 'workload-W-1',
    type: 'WorkloadPlanned',
    data: { workloadId: 'W-1', releaseId: 'R-1' },
    at: t(4, 11),
  },
  {
    streamId: 'api-version-payments',
    type: 'ApiVersionPublished',
    data: { api: 'payments', version: 2 },
    at: t(5),
  },
  {
    streamId: 'release-T/R-1',
    type: 'ReleaseScopeCommitted',
    data: { releaseId: 'R-1', committed: [{ workloadId: 'W-1' }], workloadIds: ['W-1'] },
    at: t(6),
  },
  {
    streamId: 'workload-W-2',
    type: 'WorkloadDeferred',
    data: { workloadId: 'W-2', reason: 'capacity' },
    at: t(11),
  },
  {
    streamId: 'workload-W-3',
    type: 'WorkloadRegistered',
    data: { workloadId: 'W-3', title: '=cmd|calc', team: 'ops' },
    at: t(12),
  },
];
const complianceSpecs: Spec[] = [
  {
    streamId: 'evaluation-E-1',
    type: 'PolicyEvaluated',
    data: { workloadId: 'W-1', result: 'pass' },
    at: t(4, 12),
  },
  {
    streamId: 'review-V-1',
    type: 'ReviewApproved',
    data: { workloadId: 'W-1' },
    at: t(5, 9),
    actor: 'user:bob',
  },
];
const deploymentSpecs: Spec[] = [
  {
    streamId: 'deployment-D-1',
    type: 'DeploymentSucceeded',
    data: { workloadId: 'W-1', releaseId: 'R-1' },
    at: t(7),
  },
];

const planning = serviceLog('planning', planningSpecs);
const compliance = serviceLog('compliance', complianceSpecs);
const deployment = serviceLog('deployment', deploymentSpecs);
const logs = [planning.input, compliance.input, deployment.input];

function bundle(scope: BundleScope = { kind: 'all' }) {
  const key = generateBundleSigningKey();
  return {
    files: assembleBundle(logs, { scope, createdAt: '2026-03-01T00:00:00.000Z', key }),
    key,
  };
}

/** The failure a tampering must produce: its check, its file when it names one, its words. */
const named = (tampering: Tampering) => ({
  ok: false,
  check: tampering.check,
  ...(tampering.file === undefined ? {} : { file: tampering.file }),
  message: expect.stringMatching(tampering.says) as unknown,
});

const population = (files: Map<string, Buffer>) =>
  JSON.parse(files.get(POPULATION_JSON)!.toString('utf8')) as PopulationFile;

describe('evidence bundle', () => {
  describe('given the whole history', () => {
    const { files, key } = bundle();

    it('verifies, naming every service, change and the bundle key', () => {
      const result = verifyBundle(files, { expectedFingerprint: key.fingerprint });
      expect(result).toEqual({
        ok: true,
        summary: expect.objectContaining({
          changes: 3,
          complete: true,
          keyFingerprint: key.fingerprint,
          services: [
            expect.objectContaining({ service: 'compliance', treeSize: 2, events: 2 }),
            expect.objectContaining({ service: 'deployment', treeSize: 1, events: 1 }),
            expect.objectContaining({ service: 'planning', treeSize: 9, events: 9 }),
          ],
        }),
      });
    });

    it('gives each change its trail: request, approvals, policy results, deployments', () => {
      const w1 = population(files).changes.find((c) => c.changeId === 'W-1')!;
      expect(w1.title).toBe('Checkout redesign');
      expect(w1.releaseIds).toEqual(['R-1']);
      expect(w1.trail.request.map((r) => r.type)).toEqual([
        'WorkloadRegistered',
        'WorkloadPlanned',
      ]);
      expect(w1.trail.approvals.map((r) => [r.type, r.actor])).toEqual([
        ['ReviewApproved', 'user:bob'],
      ]);
      expect(w1.trail.policyResults.map((r) => r.type)).toEqual(['PolicyEvaluated']);
      expect(w1.trail.deployments.map((r) => r.type)).toEqual(['DeploymentSucceeded']);
      expect(w1.trail.other.map((r) => r.type)).toEqual([
        'ReleaseWorkloadIncluded',
        'ReleaseScopeCommitted',
      ]);
      expect(w1.approvedBeforeDeployment).toBe(true);
      expect(
        population(files).changes.find((c) => c.changeId === 'W-2')!.approvedBeforeDeployment,
      ).toBeNull();
    });

    it('reconciles every stream type against the signed log size', () => {
      const rec = JSON.parse(
        files.get(RECONCILIATION_JSON)!.toString('utf8'),
      ) as ReconciliationFile;
      const p = rec.services.find((s) => s.service === 'planning')!;
      expect(p.eventsAfterCheckpoint).toBe(2);
      expect(p.streamTypes).toEqual([
        { streamType: 'api-version', inLog: 1, inScope: 1, exported: 1 },
        { streamType: 'release', inLog: 3, inScope: 3, exported: 3 },
        { streamType: 'workload', inLog: 5, inScope: 5, exported: 5 },
      ]);
    });

    it('writes CSV a spreadsheet reads safely (quotes, no formulas)', () => {
      const csv = files.get(POPULATION_CSV)!.toString('utf8');
      expect(csv).toContain('W-2,"Ledger, ""v2""",finance');
      expect(csv).toContain("W-3,'=cmd|calc,ops");
      expect(files.get(CHANGE_EVENTS_CSV)!.toString('utf8').split('\r\n')[0]).toBe(
        'change_id,stage,service,leaf_index,stream_id,stream_version,type,recorded_at,actor',
      );
    });

    it('reads an archive re-made with GNU tar from the unpacked directory', () => {
      const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
      try {
        for (const [path, bytes] of files) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), bytes);
        }
        execFileSync('tar', ['-cf', `${dir}.tar`, '-C', dir, '.']);
        expect(verifyBundle(readTar(readFileSync(`${dir}.tar`))).ok).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}.tar`, { force: true });
      }
    });

    it('round-trips through a tar archive', () => {
      expect(readTar(writeTar(files))).toEqual(files);
      expect(verifyBundle(readTar(writeTar(files))).ok).toBe(true);
    });
  });

  describe('given a scope', () => {
    it('a workload: its own events and every event about it, in any service', () => {
      const { files } = bundle({ kind: 'workload', workloadId: 'W-1' });
      expect(verifyBundle(files).ok).toBe(true);
      expect(population(files).changes.map((c) => c.changeId)).toEqual(['W-1']);
      const rec = JSON.parse(
        files.get(RECONCILIATION_JSON)!.toString('utf8'),
      ) as ReconciliationFile;
      expect(rec.complete).toBe(false);
      expect(rec.services.find((s) => s.service === 'planning')!.streamTypes).toContainEqual({
        streamType: 'workload',
        inLog: 5,
        inScope: 2,
        exported: 2,
      });
    });

    it('a release: its workloads', () => {
      const { files } = bundle({ kind: 'release', releaseId: 'R-1' });
      expect(verifyBundle(files).ok).toBe(true);
      expect(population(files).changes.map((c) => c.changeId)).toEqual(['W-1']);
    });

    it('a period: the changes with an event in it, each with its whole trail', () => {
      const { files } = bundle({
        kind: 'period',
        from: '2026-02-01T00:00:00Z',
        to: '2026-03-01T00:00:00Z',
      });
      expect(verifyBundle(files).ok).toBe(true);
      const changes = population(files).changes;
      expect(changes.map((c) => c.changeId)).toEqual(['W-2', 'W-3']);
      expect(changes[0]!.eventCount).toBe(2);
    });

    it('a quiet period is evidence too: no changes, the logs still counted and proven', () => {
      const { files } = bundle({
        kind: 'period',
        from: '2025-01-01T00:00:00Z',
        to: '2025-04-01T00:00:00Z',
      });
      expect(verifyBundle(files)).toMatchObject({ ok: true, summary: { changes: 0 } });
      const rec = JSON.parse(
        files.get(RECONCILIATION_JSON)!.toString('utf8'),
      ) as ReconciliationFile;
      expect(rec.services.find((s) => s.service === 'planning')!.streamTypes).toContainEqual({
        streamType: 'workload',
        inLog: 5,
        inScope: 0,
        exported: 0,
      });
    });

    it('an unknown workload is refused rather than exported empty', () => {
      expect(() => bundle({ kind: 'workload', workloadId: 'W-404' })).toThrow(EmptyScopeError);
    });
  });

  it('any logs, any scope: what is exported verifies (the verifier re-derives the same selection)', () => {
    const ids = ['W-1', 'W-2', 'W-3', 'W-4'];
    const spec = fc.record({
      service: fc.constantFrom('planning', 'compliance', 'deployment'),
      owner: fc.option(fc.constantFrom(...ids), { nil: undefined }),
      refs: fc.subarray(ids),
      releaseId: fc.option(fc.constantFrom('R-1', 'R-2'), { nil: undefined }),
      type: fc.constantFrom(
        'WorkloadRegistered',
        'ReviewApproved',
        'PolicyEvaluated',
        'DeploymentSucceeded',
        'Noted',
      ),
      day: fc.integer({ min: 1, max: 18 }),
    });
    const scope = fc.oneof(
      fc.constant<BundleScope>({ kind: 'all' }),
      fc.constantFrom(...ids).map((workloadId): BundleScope => ({ kind: 'workload', workloadId })),
      fc
        .constantFrom('R-1', 'R-2')
        .map((releaseId): BundleScope => ({ kind: 'release', releaseId })),
      fc
        .integer({ min: 1, max: 17 })
        .map((d): BundleScope => ({ kind: 'period', from: t(d), to: t(d + 1) })),
    );
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 25 }), scope, (specs, s) => {
        const byService = ['compliance', 'deployment', 'planning'].map(
          (service) =>
            serviceLog(
              service,
              specs
                .filter((x) => x.service === service)
                .map((x, i) => ({
                  streamId: x.owner ? `workload-${x.owner}` : `note-${i}`,
                  type: x.type,
                  data: { workloadIds: x.refs, ...(x.releaseId ? { releaseId: x.releaseId } : {}) },
                  at: t(x.day),
                })),
            ).input,
        );
        let files: Map<string, Buffer>;
        try {
          files = assembleBundle(byService, {
            scope: s,
            createdAt: 'x',
            key: generateBundleSigningKey(),
          });
        } catch (error) {
          if (error instanceof EmptyScopeError) return;
          throw error;
        }
        expect(verifyBundle(files)).toMatchObject({ ok: true });
      }),
      { numRuns: 60 },
    );
  });

  describe('consistency with checkpoints kept from before', () => {
    const withEarlier = (scope: BundleScope, earlier: string[]) =>
      assembleBundle([{ ...planning.input, earlierCheckpoints: earlier }, compliance.input], {
        scope,
        createdAt: 'x',
        key: generateBundleSigningKey(),
      });
    const w1: BundleScope = { kind: 'workload', workloadId: 'W-1' };

    it('a scoped bundle proves its log extends the checkpoints it was exported against', () => {
      const files = withEarlier(w1, [planning.checkpointAt(5), planning.checkpointAt(3)]);
      expect(files.has('services/planning/consistency.json')).toBe(true);
      expect(
        verifyBundle(files, {
          trustedCheckpoints: [planning.checkpointAt(5), planning.checkpointAt(3)],
        }),
      ).toMatchObject({ ok: true });
    });

    it('a scoped bundle without a proof from the checkpoint you hold says so', () => {
      const result = verifyBundle(withEarlier(w1, []), {
        trustedCheckpoints: [planning.checkpointAt(7)],
      });
      expect(result).toMatchObject({
        ok: false,
        check: 'consistency',
        message: expect.stringMatching(
          /no consistency proof from the checkpoint of size 7/,
        ) as unknown,
      });
    });

    it('a whole-history bundle is checked against any checkpoint you hold, from its own leaves', () => {
      expect(
        verifyBundle(bundle().files, { trustedCheckpoints: [planning.checkpointAt(7)] }),
      ).toMatchObject({ ok: true });
    });

    it('a rewritten log fails against the checkpoint you hold, though every proof in the bundle is valid', () => {
      // The service's key signing another history of the same size: what a rewrite that re-signed looks like.
      const rewritten = planning.signer.sign({
        origin: planning.signer.keyName,
        treeSize: 7,
        rootHash: Buffer.alloc(32, 7),
      }).note;
      expect(verifyBundle(bundle().files, { trustedCheckpoints: [rewritten] })).toMatchObject({
        ok: false,
        check: 'consistency',
        message: expect.stringMatching(
          /do not hash to the root of the checkpoint you hold: the log was rewritten/,
        ) as unknown,
      });
    });

    it('a checkpoint you hold that is larger than the bundle\u2019s log: events were removed', () => {
      const larger = planning.signer.sign({
        origin: planning.signer.keyName,
        treeSize: 12,
        rootHash: Buffer.alloc(32, 1),
      }).note;
      expect(verifyBundle(bundle().files, { trustedCheckpoints: [larger] })).toMatchObject({
        ok: false,
        check: 'consistency',
        message: expect.stringMatching(
          /holds 9 events, the checkpoint you hold 12: events were removed/,
        ) as unknown,
      });
    });

    it('a changed consistency proof fails, even re-signed', () => {
      const files = withEarlier(w1, [planning.checkpointAt(5)]);
      const path = 'services/planning/consistency.json';
      const c = JSON.parse(files.get(path)!.toString('utf8')) as { proofs: { proof: string[] }[] };
      c.proofs[0]!.proof[0] = '00'.repeat(32);
      const forged = resigned(new Map(files).set(path, Buffer.from(JSON.stringify(c))));
      expect(verifyBundle(forged)).toMatchObject({ ok: false, check: 'consistency', file: path });
    });

    it('the exporter refuses a log that does not extend an earlier checkpoint', () => {
      const other = planning.signer.sign({
        origin: planning.signer.keyName,
        treeSize: 4,
        rootHash: Buffer.alloc(32, 4),
      }).note;
      expect(() => withEarlier(w1, [other])).toThrow(
        /does not extend its earlier checkpoint of size 4/,
      );
    });
  });

  it('refuses to export a log that does not hash to its own checkpoint', () => {
    const [first, ...rest] = planning.input.events;
    const broken = {
      ...planning.input,
      events: [{ ...first!, canonical: first!.canonical.replace('Checkout', 'Check') }, ...rest],
    };
    expect(() =>
      assembleBundle([broken], {
        scope: { kind: 'all' },
        createdAt: 'x',
        key: generateBundleSigningKey(),
      }),
    ).toThrow(/do not hash to the root of its signed checkpoint/);
  });

  it('in-memory proofs are RFC 6962 proofs for every leaf of every size up to 33', () => {
    for (let n = 1; n <= 33; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
      const tree = new InMemoryTree(leaves);
      expect(tree.root()).toEqual(rootOfLeaves(leaves));
      for (let i = 0; i < n; i++)
        expect(verifyInclusion(leaves[i]!, i, n, tree.inclusionProof(i), tree.root())).toBe(true);
    }
  });

  describe('tampering: each kind of edit fails verification, named', () => {
    const { files, key } = bundle();
    const otherCheckpoint = planning.checkpointAt(5);

    it.each(contentTamperings(otherCheckpoint).map((t) => [t.name, t] as const))(
      '%s: the file digest fails, and the content check says what changed',
      (_, tampering) => {
        const result = verifyBundle(tampering.edit(new Map(files)));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.check).toBe('file-digest');
        expect(result.message).toMatch(/was changed: its SHA-256 is/);
        expect(result.message).toMatch(tampering.says);
      },
    );

    it.each(contentTamperings(otherCheckpoint).map((t) => [t.name, t] as const))(
      '%s, then re-signed with another key: the content check still fails',
      (_, tampering) => {
        const forged = resigned(tampering.edit(new Map(files)));
        const result = verifyBundle(forged);
        expect(result).toMatchObject(named(tampering));
        // With the fingerprint the operator gave, the forgery fails before any content check.
        expect(verifyBundle(forged, { expectedFingerprint: key.fingerprint })).toMatchObject({
          ok: false,
          check: 'bundle-key',
        });
      },
    );

    it.each(manifestTamperings.map((t) => [t.name, t] as const))('%s', (_, tampering) => {
      const result = verifyBundle(tampering.edit(new Map(files)));
      expect(result).toMatchObject(named(tampering));
    });

    it('a service key other than the trusted one is refused', () => {
      const other = serviceLog('planning', planningSpecs);
      const result = verifyBundle(files, { trustedVerifierKeys: [other.signer.verifierKey] });
      expect(result).toMatchObject({ ok: false, check: 'checkpoint' });
    });

    it('any single-byte edit to any file fails verification', () => {
      const paths = [...files.keys()].sort();
      fc.assert(
        fc.property(
          fc.constantFrom(...paths),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          (path, at, xor) => {
            const bytes = Buffer.from(files.get(path)!);
            const offset = at % bytes.length;
            bytes[offset] = bytes[offset]! ^ xor;
            expect(verifyBundle(new Map(files).set(path, bytes)).ok).toBe(false);
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it('a manifest signed over other bytes is refused even when the files are intact', () => {
    const { files } = bundle();
    const manifest = files
      .get(MANIFEST_FILE)!
      .toString('utf8')
      .replace('"version": 1', '"version":1');
    expect(verifyBundle(new Map(files).set(MANIFEST_FILE, Buffer.from(manifest)))).toMatchObject({
      ok: false,
      check: 'manifest-signature',
    });
  });
});
