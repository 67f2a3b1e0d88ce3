import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { ServiceError } from '@grpc/grpc-js';
import type { compliancePrivacy, planning } from '@trainyard/grpc-contracts';
import {
  readInclusionProof,
  readTreeHead,
  verifyEventLog,
  verifyInclusion,
} from '@trainyard/event-store';
import { ERASED_PERSONAL_DATA } from '@trainyard/kernel';
import {
  callUnary,
  createTestContext,
  forwardTopic,
  startTestService,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
  type TopicForwarder,
} from '@trainyard/testing';
import { planningService } from '../../apps/planning/src/planning.service';
import { complianceService } from '../../apps/compliance/src/compliance.service';

// Crypto-shredding end to end (issue 13 item 6): a workload registered through planning's gRPC API
// names its requester (a data subject); the name is sealed at the edge, so planning's event rows
// hold only ciphertext while its read model and the compliance ledger (fed the CloudEvent planning
// published) show the name. A legal hold on the workload refuses the erasure; once released, the
// subject is erased: the key is gone (tombstone kept), planning's read model and the ledger show
// "[erased]", the raw rows still hold the same ciphertext, and both services' logs still verify
// (the Merkle leaf covers the ciphertext; an inclusion proof of the workload's event checks).

const PLANNING_TOPIC = 'trainyard.planning.events.v1';

describe('retention and privacy: erasing a data subject end to end', () => {
  let planningCtx: TestContext;
  let complianceCtx: TestContext;
  let planningSvc: TestService;
  let complianceSvc: TestService;
  let planningClient: GrpcTestClient;
  let privacyClient: GrpcTestClient;
  let forwarder: TopicForwarder | undefined;
  /** The CloudEvents of the workload planning published, as they came off its topic. */
  const published: string[] = [];
  let restoreTopics: () => void;
  let writer: string;
  let officer: string;
  let auditor: string;
  const run = randomBytes(4).toString('hex');
  const W = `W-PII-${run}`;
  const SUBJECT = `emp-${run}`;
  const NAME = `Ada Lovelace ${run}`;
  const keySchema = `t_privacy_keys_${run}`;
  const ledgerTopic = () => complianceCtx.topic('ledger-events');
  const saved = {
    schema: process.env.TRAINYARD_PII_SCHEMA,
    kek: process.env.TRAINYARD_PII_KEK,
    kid: process.env.TRAINYARD_PII_KEK_ID,
  };

  const rest = async (path: string, token: string, body?: unknown) => {
    const response = await fetch(`${complianceSvc.httpUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const ledgerRequesterNames = async (): Promise<unknown[]> => {
    const { body } = await rest(`/api/compliance/ledger?workload=${W}`, auditor);
    return ((body.items as { data: { requester?: unknown } }[] | undefined) ?? []).map(
      (item) => item.data.requester,
    );
  };

  const workloadOf = async (): Promise<planning.Workload> =>
    (
      await callUnary<planning.GetWorkloadResponse>(
        planningClient,
        'GetWorkload',
        { workloadId: W },
        writer,
      )
    ).workload!;

  const rawEventData = async (): Promise<string> =>
    (
      await planningCtx.pool.query<{ data: unknown }>(
        'SELECT data FROM events WHERE stream_id = $1 ORDER BY stream_version',
        [`workload-${W}`],
      )
    ).rows
      .map((r) => JSON.stringify(r.data))
      .join('\n');

  beforeAll(async () => {
    // Both services in this process share one key store (its own schema) and one test KEK.
    process.env.TRAINYARD_PII_SCHEMA = keySchema;
    process.env.TRAINYARD_PII_KEK = randomBytes(32).toString('base64');
    process.env.TRAINYARD_PII_KEK_ID = `kek-e2e-${run}`;
    planningCtx = await createTestContext('privacy_planning');
    complianceCtx = await createTestContext('privacy_compliance');
    // The compliance service reads this run's topics only (as its specs' isolateTopics does): its
    // ledger gets exactly the CloudEvent forwarded below, never the shared topics' backlog.
    process.env.COMPLIANCE_PLANNING_TOPIC = complianceCtx.topic('planning-unused');
    process.env.COMPLIANCE_LEDGER_TOPICS = ledgerTopic();
    restoreTopics = () => {
      delete process.env.COMPLIANCE_PLANNING_TOPIC;
      delete process.env.COMPLIANCE_LEDGER_TOPICS;
    };
    planningSvc = await startTestService(planningService, planningCtx);
    // Planning's CloudEvent of the workload (published after this point), forwarded to the ledger topic.
    forwarder = await forwardTopic({
      brokers: planningCtx.brokers,
      from: PLANNING_TOPIC,
      to: ledgerTopic(),
      groupId: complianceCtx.groupId('forward'),
      accept: (key, message) => {
        if (key !== `workload-${W}`) return false;
        published.push(message.value?.toString() ?? '');
        return true;
      },
    });
    complianceSvc = await startTestService(complianceService, complianceCtx);
    planningClient = planningSvc.client('trainyard.planning.v1.PlanningService');
    privacyClient = complianceSvc.client('trainyard.compliance.v1.PrivacyService');
    writer = await planningSvc.token('release-manager');
    officer = await complianceSvc.token('compliance-officer');
    auditor = await complianceSvc.token('auditor');
  });

  afterAll(async () => {
    await forwarder?.stop();
    await complianceSvc?.stop();
    await planningSvc?.stop();
    restoreTopics?.();
    await planningCtx?.pool.query(`DROP SCHEMA IF EXISTS ${keySchema} CASCADE`);
    await planningCtx?.dispose();
    await complianceCtx?.dispose();
    for (const [key, value] of [
      ['TRAINYARD_PII_SCHEMA', saved.schema],
      ['TRAINYARD_PII_KEK', saved.kek],
      ['TRAINYARD_PII_KEK_ID', saved.kid],
    ] as const)
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  });

  it('seals the name at registration, shows it in the read model and the ledger, erases it everywhere, and the logs still verify', async () => {
    // 1. Register through planning's gRPC API, the requester named.
    const registered = await callUnary<planning.RegisterWorkloadResponse>(
      planningClient,
      'RegisterWorkload',
      {
        workloadId: W,
        title: `Customer export ${run}`,
        team: 'payments',
        components: [{ name: 'export-service', kind: 'COMPONENT_KIND_SERVICE' }],
        regulatedData: ['REGULATED_DATA_CLASS_PII'],
        jobSize: 3,
        businessValue: 8,
        timeCriticality: 5,
        riskReduction: 2,
        dependsOn: [],
        schemaChange: false,
        reason: 'customer data export',
        requester: { subjectId: SUBJECT, name: NAME },
      },
      writer,
    );
    expect(registered.workload).toMatchObject({ requesterSubjectId: SUBJECT, requesterName: NAME });

    // 2. The stored event holds the envelope, never the name.
    const stored = await rawEventData();
    expect(stored).toContain('"$pii"');
    expect(stored).not.toContain(NAME);
    expect(stored).not.toContain('Lovelace');

    // 3. The read model shows the name (opened at query time).
    await waitFor(async () => (await workloadOf().catch(() => undefined))?.requesterName === NAME, {
      description: 'the read model shows the requester',
      timeoutMs: 60_000,
    });

    // 4. The ledger: the CloudEvent planning published (sealed, without the name), forwarded.
    await waitFor(() => Promise.resolve(forwarder!.forwarded.length > 0), {
      description: "planning's CloudEvent of the workload",
      timeoutMs: 90_000,
    });
    for (const value of published) expect(value).not.toContain(NAME);
    await waitFor(async () => (await ledgerRequesterNames()).includes(NAME), {
      description: 'the ledger shows the requester',
      timeoutMs: 60_000,
    });
    const ledgerRaw = await complianceCtx.pool.query<{ data: unknown }>(
      `SELECT data FROM ledger_entries WHERE subject = $1 OR links @> $2::jsonb`,
      [`workload-${W}`, JSON.stringify([{ kind: 'workload', id: W }])],
    );
    expect(ledgerRaw.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(ledgerRaw.rows)).not.toContain(NAME);

    // 5. A legal hold on the workload refuses the erasure; the key stays.
    await callUnary(
      privacyClient,
      'PlaceLegalHold',
      {
        holdId: `H-${run}`,
        scope: { kind: 'workload', id: W },
        reason: 'litigation 2031-4',
      },
      officer,
    );
    const refused = await callUnary(
      privacyClient,
      'EraseSubject',
      { subjectId: SUBJECT, reason: 'art. 17 request' },
      officer,
    ).catch((e: unknown) => e);
    expect((refused as ServiceError).code).toBe(9); // FAILED_PRECONDITION
    expect(trailer(refused, 'trainyard-rule')).toBe('privacy.legal-hold');
    expect((await workloadOf()).requesterName).toBe(NAME);
    const viaRest = await rest('/api/compliance/privacy/erasures', officer, {
      subjectId: SUBJECT,
      reason: 'art. 17 request',
    });
    expect(viaRest.status).toBe(409);
    await callUnary(
      privacyClient,
      'ReleaseLegalHold',
      { holdId: `H-${run}`, reason: 'settled' },
      officer,
    );

    // 6. Erase.
    const erased = await callUnary<compliancePrivacy.EraseSubjectResponse>(
      privacyClient,
      'EraseSubject',
      { subjectId: SUBJECT, reason: 'GDPR art. 17 request #42' },
      officer,
    );
    expect(erased.erasure).toMatchObject({
      subjectId: SUBJECT,
      reason: 'GDPR art. 17 request #42',
    });
    expect(erased.erasure!.recordsAffected).toBeGreaterThan(0);

    // 7. Unreadable everywhere: planning's read model (gRPC and REST), the ledger, the raw rows.
    expect((await workloadOf()).requesterName).toBe(ERASED_PERSONAL_DATA);
    const planningRest = await fetch(
      `${planningSvc.httpUrl}/api/planning/workloads?team=payments&pageSize=200`,
      {
        headers: { authorization: `Bearer ${await planningSvc.token('viewer')}` },
      },
    );
    const listed = (
      (await planningRest.json()) as { items: { workloadId: string; requester: unknown }[] }
    ).items;
    expect(listed.find((w) => w.workloadId === W)?.requester).toEqual({
      subjectId: SUBJECT,
      name: ERASED_PERSONAL_DATA,
    });
    expect(await ledgerRequesterNames()).toContain(ERASED_PERSONAL_DATA);
    expect(await ledgerRequesterNames()).not.toContain(NAME);
    expect(await rawEventData()).toBe(stored); // the rows are unchanged: same ciphertext, key gone
    const key = await planningCtx.pool.query(
      `SELECT wrapped_key, erased_by, erasure_reason FROM ${keySchema}.subject_keys WHERE subject_id = $1`,
      [SUBJECT],
    );
    expect(key.rows).toEqual([
      {
        wrapped_key: null,
        erased_by: expect.any(String),
        erasure_reason: 'GDPR art. 17 request #42',
      },
    ]);
    const subject = await callUnary<compliancePrivacy.GetSubjectResponse>(
      privacyClient,
      'GetSubject',
      { subjectId: SUBJECT },
      auditor,
    );
    expect(subject.keyStatus).toBe('erased');
    // Nothing more can be recorded for the subject.
    const again = await callUnary(
      planningClient,
      'RegisterWorkload',
      {
        workloadId: `${W}-2`,
        title: 'again',
        team: 'payments',
        components: [{ name: 'export-service', kind: 'COMPONENT_KIND_SERVICE' }],
        regulatedData: [],
        jobSize: 3,
        businessValue: 8,
        timeCriticality: 5,
        riskReduction: 2,
        dependsOn: [],
        schemaChange: false,
        reason: 'r',
        requester: { subjectId: SUBJECT, name: NAME },
      },
      writer,
    ).catch((e: unknown) => e);
    expect(trailer(again, 'trainyard-rule')).toBe('privacy.subject-erased');

    // 8. The tombstone is an event without the name, and both logs still verify (leaves cover the
    //    ciphertext); the workload's event is provably in planning's sealed tree.
    const tombstone = await complianceCtx.pool.query<{ data: unknown }>(
      `SELECT data FROM events WHERE event_type = 'DataSubjectErased'`,
    );
    expect(tombstone.rows).toHaveLength(1);
    expect(JSON.stringify(tombstone.rows)).not.toContain('Lovelace');
    for (const ctx of [planningCtx, complianceCtx]) {
      const verified = await waitFor(
        async () => {
          const result = await verifyEventLog(ctx.pool, ctx.schema);
          return result.ok && result.unsealed === 0 && result.checked > 0 ? result : undefined;
        },
        { description: `${ctx.schema} sealed and verified`, timeoutMs: 60_000 },
      );
      expect(verified.ok).toBe(true);
    }
    const head = (await readTreeHead(planningCtx.pool, planningCtx.schema))!;
    const leaf = await planningCtx.pool.query<{ position: string }>(
      `SELECT position::text FROM events WHERE stream_id = $1 AND stream_version = 1`,
      [`workload-${W}`],
    );
    const all = await planningCtx.pool.query<{ position: string }>(
      'SELECT position::text FROM events ORDER BY transaction_id, position',
    );
    const index = all.rows.findIndex((r) => r.position === leaf.rows[0]!.position);
    const proof = await readInclusionProof(
      planningCtx.pool,
      planningCtx.schema,
      index,
      head.treeSize,
    );
    expect(JSON.stringify(proof.event.data)).not.toContain(NAME);
    expect(verifyInclusion(proof.leafHash, index, head.treeSize, proof.proof, proof.rootHash)).toBe(
      true,
    );
  });

  it('refuses hostile erasure and hold requests as INVALID_ARGUMENT / 400 naming the field, recording nothing', async () => {
    const before = await complianceCtx.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE stream_id = 'privacy-register'`,
    );
    const badId = fc.oneof(
      fc.constant(''),
      fc
        .string({ minLength: 1, maxLength: 40 })
        .filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(s)),
      fc.constant('a'.repeat(129)),
    );
    await fc.assert(
      fc.asyncProperty(badId, async (subjectId) => {
        const grpc = await callUnary(
          privacyClient,
          'EraseSubject',
          { subjectId, reason: 'r' },
          officer,
        ).catch((e: unknown) => e);
        expect((grpc as ServiceError).code).toBe(3);
        expect(trailer(grpc, 'trainyard-field')).toBe('subject_id');
        const http = await rest('/api/compliance/privacy/erasures', officer, {
          subjectId,
          reason: 'r',
        });
        expect(http.status).toBe(400);
        expect(JSON.stringify(http.body)).toContain('subjectId');
      }),
      { numRuns: 15 },
    );
    const cases: [unknown, string][] = [
      [{ subjectId: 'emp-1' }, 'reason'],
      [{ subjectId: 42, reason: 'r' }, 'subjectId'],
      [[], 'body'],
    ];
    for (const [body, field] of cases) {
      const http = await rest('/api/compliance/privacy/erasures', officer, body);
      expect(http.status).toBe(400);
      expect(JSON.stringify(http.body)).toContain(field);
    }
    // Planning's requester: both parts or neither, the subject id in the allowed alphabet.
    const requesters: [unknown, string][] = [
      [{ subjectId: 'bad id', name: 'Ada' }, 'requester.subject_id'],
      [{ subjectId: `emp-ok-${run}`, name: '  ' }, 'requester.name'],
      [{ subjectId: '', name: 'Ada' }, 'requester.subject_id'],
    ];
    for (const [i, [requester, field]] of requesters.entries()) {
      const workloadId = `W-HOSTILE-${run}-${i}`;
      const error = await callUnary(
        planningClient,
        'RegisterWorkload',
        {
          workloadId,
          title: 'hostile',
          team: 'payments',
          components: [{ name: 'export-service', kind: 'COMPONENT_KIND_SERVICE' }],
          regulatedData: [],
          jobSize: 3,
          businessValue: 8,
          timeCriticality: 5,
          riskReduction: 2,
          dependsOn: [],
          schemaChange: false,
          reason: 'r',
          requester,
        },
        writer,
      ).catch((e: unknown) => e);
      expect((error as ServiceError).code).toBe(3);
      expect(trailer(error, 'trainyard-field')).toBe(field);
      const stored = await planningCtx.pool.query('SELECT 1 FROM events WHERE stream_id = $1', [
        `workload-${workloadId}`,
      ]);
      expect(stored.rows).toHaveLength(0);
    }
    const noReason = await callUnary(
      privacyClient,
      'EraseSubject',
      { subjectId: 'emp-x' },
      officer,
    ).catch((e: unknown) => e);
    expect(trailer(noReason, 'trainyard-field')).toBe('reason');
    const holds: [unknown, string][] = [
      [{ holdId: 'H-1', reason: 'r' }, 'scope'],
      [{ holdId: 'H-1', scope: { kind: 'planet', id: 'x' }, reason: 'r' }, 'scope.kind'],
      [{ holdId: 'H-1', scope: { kind: 'workload', id: '' }, reason: 'r' }, 'scope.id'],
      [
        {
          holdId: 'H-1',
          scope: { kind: 'time-range', from: 'soon', to: '2031-01-01T00:00:00Z' },
          reason: 'r',
        },
        'scope.from',
      ],
      [{ holdId: '../x', scope: { kind: 'workload', id: 'W' }, reason: 'r' }, 'holdId'],
    ];
    for (const [body, field] of holds) {
      const http = await rest('/api/compliance/privacy/legal-holds', officer, body);
      expect(http.status).toBe(400);
      expect(JSON.stringify(http.body)).toContain(`"${field}`);
    }
    const grpcHold = await callUnary(
      privacyClient,
      'PlaceLegalHold',
      {
        holdId: 'H-2',
        scope: { kind: 'time-range', from: '2031-02-01T00:00:00Z', to: '2031-01-01T00:00:00Z' },
        reason: 'r',
      },
      officer,
    ).catch((e: unknown) => e);
    expect((grpcHold as ServiceError).code).toBe(3);
    expect(trailer(grpcHold, 'trainyard-field')).toBe('scope.to');
    const denied = await rest('/api/compliance/privacy/erasures', auditor, {
      subjectId: 'emp-1',
      reason: 'r',
    });
    expect(denied.status).toBe(403);
    const after = await complianceCtx.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE stream_id = 'privacy-register'`,
    );
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
