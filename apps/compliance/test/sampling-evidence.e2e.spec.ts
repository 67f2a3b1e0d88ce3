import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { readTar, verifyBundle, writeTar } from '@trainyard/evidence';
import { repoRoot } from '@trainyard/infra';
import {
  callUnary,
  refusal,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { ComplianceE2e, workloadRegistered } from './test-support/compliance-e2e.fixture';

// Post-release sampling through a started compliance service: planning's events on Kafka fill the
// ledger and open reviews; a seeded sample of May's releases draws the same releases for the same
// seed, and a regulated workload released without a sign-off yields a finding with its evidence.
// Then an evidence bundle fetched over the API verifies offline (the audit:verify-bundle logic and
// the script itself), and a changed byte in it does not.

interface SampleBody {
  sample: {
    sampleId: string;
    seed: string;
    population: number;
    sampled: string[];
    findingCount: number;
  };
  findings: {
    rule: string;
    releaseId: string;
    workloadId: string;
    evidence: Record<string, unknown>;
  }[];
}

describe('compliance: post-release sampling and evidence bundles over the API', () => {
  let e2e: ComplianceE2e;
  let ctx: TestContext;
  let service: TestService;
  let sampling: GrpcTestClient;
  const auditDir = mkdtempSync(join(tmpdir(), 'trainyard-sampling-audit-'));
  const run = randomBytes(3).toString('hex');
  const [relA, relB, relJune] = ['A', 'B', 'J'].map((x) => `R-${x}-${run}`) as [
    string,
    string,
    string,
  ];
  const [wRegulated, wPlain] = [`W-REG-${run}`, `W-PLAIN-${run}`];
  let officer: string;
  let auditor: string;
  let viewer: string;

  const rest = async (path: string, bearer: string, init: RequestInit = {}) => {
    const response = await fetch(`${service.httpUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, bytes };
  };
  const json = async (path: string, bearer: string, init: RequestInit = {}) => {
    const r = await rest(path, bearer, init);
    return {
      status: r.status,
      body: JSON.parse(r.bytes.toString('utf8') || '{}') as Record<string, unknown>,
    };
  };

  const publish = (type: string, key: string, time: string, data: object) =>
    e2e.publishPlanning(type, key, data, time);

  const registered = (workloadId: string, regulatedData: string[], at: string) =>
    workloadRegistered(workloadId, { regulatedData, registeredAt: at });
  const committed = (releaseId: string, workloadIds: string[], at: string) => ({
    releaseId,
    trainId: 'main',
    workloads: workloadIds.map((workloadId, i) => ({
      workloadId,
      team: 'payments',
      jobSize: 5,
      changeType: 'normal',
      order: i + 1,
    })),
    deploymentOrder: workloadIds.map((workloadId) => ({ workloadId, wave: 1 })),
    capacityTotal: 40,
    capacityUsed: 10,
    deferredCount: 0,
    policyVersion: '1',
    committedBy: 'dev-release-manager',
    committedAt: at,
  });

  beforeAll(async () => {
    e2e = await ComplianceE2e.create('csampling');
    ctx = e2e.ctx;
    const { topic } = await e2e.planningEvents();
    service = await e2e.start({
      ledger: [topic],
      env: {
        ACCESS_MODEL_TOPIC: ctx.topic('access-model'),
        AUDIT_CHECKPOINT_INTERVAL_MS: '300',
        AUDIT_SIGNING_KEY_FILE: join(auditDir, 'checkpoint-key.pem'),
        AUDIT_CHECKPOINT_DIR: join(auditDir, 'checkpoints'),
      },
    });
    sampling = service.client('trainyard.compliance.v1.SamplingService');
    [officer, auditor, viewer] = await Promise.all([
      service.token('compliance-officer'),
      service.token('auditor'),
      service.token('viewer'),
    ]);
    await publish(
      'WorkloadRegistered',
      `workload-${wRegulated}`,
      '2031-05-02T09:00:00.000Z',
      registered(wRegulated, ['pii'], '2031-05-02T09:00:00.000Z'),
    );
    await publish(
      'WorkloadRegistered',
      `workload-${wPlain}`,
      '2031-05-02T09:05:00.000Z',
      registered(wPlain, [], '2031-05-02T09:05:00.000Z'),
    );
    await publish(
      'ReleaseScopeCommitted',
      `release-${relA}`,
      '2031-05-10T09:00:00.000Z',
      committed(relA, [wRegulated], '2031-05-10T09:00:00.000Z'),
    );
    await publish(
      'ReleaseScopeCommitted',
      `release-${relB}`,
      '2031-05-12T09:00:00.000Z',
      committed(relB, [wPlain], '2031-05-12T09:00:00.000Z'),
    );
    await publish(
      'ReleaseScopeCommitted',
      `release-${relJune}`,
      '2031-06-02T09:00:00.000Z',
      committed(relJune, [wPlain], '2031-06-02T09:00:00.000Z'),
    );
    await waitFor(
      async () => {
        const ledger = await json(`/api/compliance/ledger?release=${relJune}`, auditor);
        const review = await json(`/api/compliance/reviews/${wRegulated}`, auditor);
        return ledger.status === 200 && (ledger.body.total as number) > 0 && review.status === 200;
      },
      { timeoutMs: 90_000, description: 'the ledger and the review to hold the planning events' },
    );
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
    rmSync(auditDir, { recursive: true, force: true });
  });

  it("draws May's releases; a regulated workload without a sign-off is a finding with its evidence", async () => {
    const drawn = await json('/api/compliance/samples', officer, {
      method: 'POST',
      body: JSON.stringify({ period: '2031-05', percent: 100, seed: 'may-audit' }),
    });
    expect(drawn.status).toBe(201);
    const body = drawn.body as unknown as SampleBody;
    expect(body.sample).toMatchObject({
      seed: 'may-audit',
      population: 2,
      sampled: [relA, relB].sort(),
    });
    const signOff = body.findings.find((f) => f.rule === 'regulated-signed-off');
    expect(signOff).toMatchObject({
      releaseId: relA,
      workloadId: wRegulated,
      evidence: { regulated: true, signOffs: [] },
    });
    // No policy was active: released without any evaluation, for both workloads.
    expect(
      body.findings
        .filter((f) => f.rule === 'evaluated-without-block')
        .map((f) => f.workloadId)
        .sort(),
    ).toEqual([wPlain, wRegulated].sort());
    const listed = await json(`/api/compliance/findings?sampleId=${body.sample.sampleId}`, auditor);
    expect(listed.body.total).toBe(body.findings.length);
    const samples = await json('/api/compliance/samples?period=2031-05', auditor);
    expect(samples.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sampleId: body.sample.sampleId,
          seed: 'may-audit',
          findingCount: body.findings.length,
        }),
      ]),
    );
  });

  it('the same seed draws the same sample (REST and gRPC); the seed is recorded', async () => {
    const draw = async (seed: string) =>
      callUnary<{ sample: { sampled: string[]; seed: string } }>(
        sampling,
        'DrawSample',
        { period: '2031-05', percent: 50, seed },
        officer,
      );
    const first = await draw('seed-1');
    const again = await json('/api/compliance/samples', officer, {
      method: 'POST',
      body: JSON.stringify({ period: '2031-05', percent: 50, seed: 'seed-1' }),
    });
    expect(first.sample.sampled).toHaveLength(1);
    expect((again.body as unknown as SampleBody).sample.sampled).toEqual(first.sample.sampled);
    const generated = await callUnary<{ sample: { seed: string } }>(
      sampling,
      'DrawSample',
      { period: '2031-Q2', percent: 100 },
      officer,
    );
    expect(generated.sample.seed).toMatch(/^[0-9a-f]{16}$/);
    const findings = await callUnary<{
      items: { evidenceJson: string; releaseId: string }[];
      total: number;
    }>(sampling, 'ListFindings', { releaseId: relA }, auditor);
    expect(findings.total).toBeGreaterThan(0);
    expect(findings.items.every((f) => f.releaseId === relA)).toBe(true);
    expect(
      (await refusal(callUnary(sampling, 'DrawSample', { period: '2031-05', percent: 5 }, auditor)))
        .code,
    ).toBe(status.PERMISSION_DENIED);
  });

  it('hostile input to sampling: INVALID_ARGUMENT / 400 naming the field, nothing drawn', async () => {
    const before = (await json('/api/compliance/samples', auditor)).body.total;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .record({
              period: fc
                .string({ maxLength: 12 })
                .filter((p) => !/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/.test(p)),
              percent: fc.constant(10),
            })
            .map((b) => ({ b, field: 'period' })),
          fc
            .record({
              period: fc.constant('2031-05'),
              percent: fc.oneof(
                fc.double({ max: 0 }),
                fc.double({ min: 100.0001, noNaN: true }),
                fc.string({ maxLength: 3 }),
              ),
            })
            .map((b) => ({ b, field: 'percent' })),
          fc
            .record({
              period: fc.constant('2031-05'),
              percent: fc.constant(10),
              seed: fc
                .string({ minLength: 1, maxLength: 80 })
                .filter((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s)),
            })
            .map((b) => ({ b, field: 'seed' })),
        ),
        async ({ b, field }) => {
          const response = await json('/api/compliance/samples', officer, {
            method: 'POST',
            body: JSON.stringify(b),
          });
          expect([response.status, response.body.field]).toEqual([400, field]);
          const grpc = await refusal(
            callUnary(
              sampling,
              'DrawSample',
              { ...b, percent: typeof b.percent === 'number' ? b.percent : -1 },
              officer,
            ),
          );
          expect(grpc.code).toBe(status.INVALID_ARGUMENT);
        },
      ),
      { numRuns: 20 },
    );
    expect((await json('/api/compliance/findings?sampleId=nope', auditor)).body.field).toBe(
      'sampleId',
    );
    expect((await json('/api/compliance/samples?pageSize=1000', auditor)).body.field).toBe(
      'pageSize',
    );
    expect((await json('/api/compliance/samples', auditor)).body.total).toBe(before);
  });

  it('an evidence bundle fetched over the API verifies offline; a changed byte does not', async () => {
    expect(
      (await rest('/api/compliance/evidence-bundles', viewer, { method: 'POST' })).status,
    ).toBe(403);
    const bundle = await waitFor(
      async () => {
        const r = await rest('/api/compliance/evidence-bundles', auditor, {
          method: 'POST',
          body: JSON.stringify({ services: ['compliance'] }),
        });
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 60_000, description: 'a signed checkpoint of the compliance log to export' },
    );
    expect(bundle.headers.get('content-type')).toBe('application/x-tar');
    const fingerprint = bundle.headers.get('x-bundle-key-fingerprint') ?? '';
    const files = readTar(bundle.bytes);
    const verified = verifyBundle(files, { expectedFingerprint: fingerprint });
    expect(verified).toMatchObject({ ok: true });

    const file = join(auditDir, 'bundle.tar');
    writeFileSync(file, bundle.bytes);
    const script = spawnSync(
      process.execPath,
      [
        join(repoRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(repoRoot(), 'tools', 'scripts', 'audit-verify-bundle.ts'),
        file,
        '--expect-key',
        fingerprint,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(script.status).toBe(0);

    const [name, content] = [...files].find(([n]) => n.endsWith('.json') && n !== 'manifest.json')!;
    const tampered = new Map(files).set(name, Buffer.concat([content, Buffer.from(' ')]));
    expect(
      verifyBundle(readTar(writeTar(tampered)), { expectedFingerprint: fingerprint }),
    ).toMatchObject({ ok: false });

    const bad = await json('/api/compliance/evidence-bundles', auditor, {
      method: 'POST',
      body: JSON.stringify({ from: 'yesterday', to: '2031-01-01T00:00:00Z' }),
    });
    expect([bad.status, bad.body.field]).toEqual([400, 'from']);
    const badService = await json('/api/compliance/evidence-bundles', auditor, {
      method: 'POST',
      body: JSON.stringify({ services: ['compliance', 'payroll'] }),
    });
    expect([badService.status, badService.body.field]).toEqual([400, 'services[1]']);
  });
});
