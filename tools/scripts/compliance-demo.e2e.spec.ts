import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planning } from '@trainyard/grpc-contracts';
import { signDevToken } from '@trainyard/infra';
import { readBundle, verifyBundle } from '@trainyard/evidence';
import {
  callUnary,
  createTestContext,
  forwardTopic,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
  type TopicForwarder,
} from '@trainyard/testing';
import { planningService } from '../../apps/planning/src/planning.service';
import { complianceService } from '../../apps/compliance/src/compliance.service';
import {
  DEMO_POLICY_ID,
  prepareCompliancePolicy,
  runComplianceDemo,
  type ComplianceDemoTarget,
} from './demo/compliance-demo';

// The compliance part of `npm run demo` against the real planning and compliance services (each
// its own schema): planning's CloudEvents of this run (keys carrying the run suffix) are forwarded
// from planning's topic to this run's own topic, which compliance reads as planning's topic and
// as its ledger topic, so nothing of other tests reaches it. The demo then shows policy results
// with explanations, two sign-offs and a refused self-approval, the emergency patch's
// retrospective review (opened by compliance from planning's event), a sample, and a period
// bundle written to a file that verifies offline; a second preparation re-uses the policy.

const PLANNING_TOPIC = 'trainyard.planning.events.v1';
const TEST_KEY_DIR = join(tmpdir(), 'trainyard-test-keys'); // the key startTestService trusts
const { ComponentKind: K, RegulatedDataClass: D, ChangeType: C } = planning;

describe('npm run demo: the compliance part (issue 13)', () => {
  let planningCtx: TestContext;
  let complianceCtx: TestContext;
  let planningSvc: TestService;
  let complianceSvc: TestService;
  let planningClient: GrpcTestClient;
  let forwarder: TopicForwarder | undefined;
  let writer: string;
  let restoreEnv: () => void = () => undefined;
  const run = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `comp-demo-${run}-`));
  const lines: string[] = [];
  const periodFrom = new Date(Date.now() - 1000).toISOString();
  let target: ComplianceDemoTarget;
  // Both services share one key store of their own (a schema of this run) and one test KEK.
  const keySchema = `t_cdemo_keys_${run}`;
  const saved = {
    TRAINYARD_PII_SCHEMA: process.env.TRAINYARD_PII_SCHEMA,
    TRAINYARD_PII_KEK: process.env.TRAINYARD_PII_KEK,
    TRAINYARD_PII_KEK_ID: process.env.TRAINYARD_PII_KEK_ID,
  };

  beforeAll(async () => {
    process.env.TRAINYARD_PII_SCHEMA = keySchema;
    process.env.TRAINYARD_PII_KEK = randomBytes(32).toString('base64');
    process.env.TRAINYARD_PII_KEK_ID = `kek-cdemo-${run}`;
    planningCtx = await createTestContext('cdemo_planning');
    complianceCtx = await createTestContext('cdemo_compliance');
    // Only this run's CloudEvents (keys carrying the run suffix), as they are published from now on.
    const topic = complianceCtx.topic('planning-events');
    forwarder = await forwardTopic({
      brokers: planningCtx.brokers,
      from: PLANNING_TOPIC,
      to: topic,
      groupId: complianceCtx.groupId('forward'),
      accept: (key) => key.endsWith(run),
    });

    process.env.COMPLIANCE_PLANNING_TOPIC = topic;
    process.env.COMPLIANCE_LEDGER_TOPICS = topic;
    restoreEnv = () => {
      delete process.env.COMPLIANCE_PLANNING_TOPIC;
      delete process.env.COMPLIANCE_LEDGER_TOPICS;
    };
    planningSvc = await startTestService(planningService, planningCtx);
    complianceSvc = await startTestService(complianceService, complianceCtx, {
      ACCESS_MODEL_TOPIC: complianceCtx.topic('access-model'),
      AUDIT_CHECKPOINT_INTERVAL_MS: '300',
      AUDIT_SIGNING_KEY_FILE: join(dir, 'audit', 'checkpoint-key.pem'),
      AUDIT_CHECKPOINT_DIR: join(dir, 'audit', 'checkpoints'),
    });
    planningClient = planningSvc.client('trainyard.planning.v1.PlanningService');
    // As `npm run demo` does: the release manager holds admin (the emergency patch needs approve).
    writer = await signDevToken({
      roles: ['admin'],
      subject: 'demo-release-manager',
      keyDir: TEST_KEY_DIR,
    });
    target = {
      grpcAddress: complianceSvc.grpcAddress,
      httpUrl: complianceSvc.httpUrl,
      sign: (roles, subject) => signDevToken({ roles, subject, keyDir: TEST_KEY_DIR }),
      log: (line) => lines.push(line),
    };
  }, 120_000);

  afterAll(async () => {
    restoreEnv();
    await forwarder?.stop();
    await complianceSvc?.stop();
    await planningSvc?.stop();
    await planningCtx?.pool.query(`DROP SCHEMA IF EXISTS ${keySchema} CASCADE`);
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    await complianceCtx?.dispose();
    await planningCtx?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = (
    key: string,
    regulatedData: planning.RegulatedDataClass[],
    extra: Record<string, unknown> = {},
  ) =>
    callUnary<planning.RegisterWorkloadResponse>(
      planningClient,
      'RegisterWorkload',
      {
        workloadId: `${key}-${run}`,
        title: `Demo ${key}`,
        team: 'payments',
        components: [{ name: 'payments-service', kind: K.COMPONENT_KIND_SERVICE }],
        regulatedData,
        jobSize: 3,
        businessValue: 8,
        timeCriticality: 5,
        riskReduction: 2,
        dependsOn: [],
        schemaChange: false,
        reason: 'demo intake',
        ...extra,
      },
      writer,
    );

  it('shows policy results, sign-offs, a refused self-approval, the retrospective review and a verified bundle', async () => {
    const prepared = await prepareCompliancePolicy(target);
    expect(prepared).toMatchObject({ policyId: DEMO_POLICY_ID, version: '1.0.0', changed: true });
    expect(lines.join('\n')).toContain("its author's approval refused (policy-four-eyes");

    const card = `card-vault-${run}`;
    const profile = `profile-store-${run}`;
    await register('card-vault', [D.REGULATED_DATA_CLASS_FINANCIAL, D.REGULATED_DATA_CLASS_PII]);
    await register('profile-store', [D.REGULATED_DATA_CLASS_PII], {
      schemaChange: true,
      components: [
        { name: 'identity-service', kind: K.COMPONENT_KIND_SERVICE },
        { name: 'identity-db', kind: K.COMPONENT_KIND_DATABASE },
      ],
    });
    await register('search-boost', []);
    const releaseId = `main-${run}`;
    const start = new Date(Date.now() + 7 * 86_400_000);
    await callUnary(
      planningClient,
      'PlanRelease',
      {
        releaseId,
        trainId: 'main',
        windowStart: start.toISOString(),
        windowEnd: new Date(start.getTime() + 13 * 86_400_000).toISOString(),
        reason: 'demo',
      },
      writer,
    );
    await callUnary(planningClient, 'CommitReleaseScope', { releaseId, reason: 'demo' }, writer);
    const hotfix = `payments-hotfix-${run}`;
    await register('payments-hotfix', [], {
      changeType: C.CHANGE_TYPE_EMERGENCY_PATCH,
      severity: 5,
      linkedIncident: 'INC-2301',
    });
    await callUnary(
      planningClient,
      'RequestEmergencyPatch',
      {
        releaseId: `hotfix-${run}`,
        trackId: 'hotfix',
        workloadId: hotfix,
        approver: 'cab-chair',
        reason: 'INC-2301',
      },
      writer,
    );

    const result = await runComplianceDemo(target, {
      run,
      releaseId,
      regulatedWorkloadIds: [card, profile],
      emergencyWorkloadId: hotfix,
      author: 'demo-release-manager',
      periodFrom,
      outDir: join(dir, 'demo'),
      bundleServices: ['compliance'],
      erasure: { planningGrpcAddress: planningSvc.grpcAddress },
      timeoutMs: 120_000,
    });
    const printed = lines.join('\n');

    // Policy results with rule-level explanations, for each regulated workload.
    expect(result.evaluations.map((e) => e.workloadId)).toEqual([card, profile]);
    for (const e of result.evaluations) {
      expect(e.bundleVersion).toBe('1.0.0');
      expect(e.rules.map((r) => r.ruleId)).toEqual([
        'regulated-not-low-risk',
        'regulated-schema-change-dpia',
        'health-data-retention',
      ]);
      for (const r of e.rules) expect(r.reason.length).toBeGreaterThan(0);
    }
    const profileResult = result.evaluations[1]!;
    expect(profileResult.result).toBe('warned');
    expect(profileResult.rules[1]).toMatchObject({ effect: 'warn', outcome: 'failed' });
    expect(printed).toContain(`${profile} [pii]: WARNED`);
    expect(printed).toContain(
      'regulated-schema-change-dpia (warn; GDPR:Art.35, ISO27001:A.5.34): failed',
    );
    expect(printed).toContain(
      'expression  !(facts.schemaChange && facts.regulatedData.size() > 0) = false',
    );
    expect(printed).toContain('decided by  `facts.schemaChange` was true');
    expect(result.replayEqual).toBe(true);

    // Two sign-offs by two people in the configured roles; the author refused.
    expect(result.refusedSelfApproval).toMatchObject({
      signer: 'demo-release-manager',
      rule: 'review-author-cannot-sign',
    });
    expect(printed).toContain('REFUSED: demo-release-manager (the author)');
    expect(result.signOffs).toEqual([
      { signer: 'demo-officer-chen', role: 'compliance-officer' },
      { signer: 'demo-approver-ana', role: 'approver' },
    ]);
    expect(result.reviewStatus).toBe('Approved');

    // The retrospective review compliance opened from planning's EmergencyPatchScheduled.
    expect(forwarder?.forwarded).toContain(`release-hotfix-${run}`);
    expect(Date.parse(result.retrospective.dueAt)).toBeGreaterThan(Date.now() + 47 * 3_600_000);
    expect(result.retrospective.status).toBe('Closed');
    expect(printed).toContain(`due ${result.retrospective.dueAt}`);

    // The sample: drawn with the recorded seed.
    expect(result.sample?.seed).toBe(`demo-${run}`);

    // Erasure: the name readable before, "[erased]" after in planning and the ledger.
    expect(result.erasure).toMatchObject({
      nameBefore: `Grace Hopper (demo ${run})`,
      planningAfter: '[erased]',
      ledgerAfter: expect.arrayContaining(['[erased]']) as unknown,
    });
    expect(result.erasure!.recordsAffected).toBeGreaterThan(0);
    expect(printed).toContain('now planning shows "[erased]"');
    const raw = await planningCtx.pool.query<{ data: unknown }>(
      'SELECT data FROM events WHERE stream_id = $1',
      [`workload-customer-export-${run}`],
    );
    expect(raw.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(raw.rows)).not.toContain('Grace Hopper');

    // The period's bundle (exported after the erasure): a file that verifies offline, and not once a byte changed.
    expect(result.bundle.verification).toMatchObject({ ok: true });
    expect(printed).toContain('verified offline');
    const files = await readBundle(result.bundle.path);
    expect(verifyBundle(files, { expectedFingerprint: result.bundle.fingerprint }).ok).toBe(true);
    const [name, bytes] = [...files].find(([n]) => n.endsWith('.json'))!;
    const tampered = new Map(files);
    tampered.set(name, Buffer.concat([bytes, Buffer.from(' ')]));
    expect(verifyBundle(tampered, { expectedFingerprint: result.bundle.fingerprint }).ok).toBe(
      false,
    );

    // Re-runnable: the next run finds the same rules active and proposes nothing.
    expect(await prepareCompliancePolicy(target)).toMatchObject({
      version: '1.0.0',
      changed: false,
    });
  }, 300_000);
});
