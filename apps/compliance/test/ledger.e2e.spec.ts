import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { complianceLedger } from '@trainyard/grpc-contracts';
import { toCloudEventMessage, type OutgoingMessage } from '@trainyard/messaging';
import {
  callUnary,
  createTestContext,
  startTestService,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { complianceService } from '../src/compliance.service';

// The audit ledger end to end on PostgreSQL and Kafka: CloudEvents of planning, compliance and
// deployment on this run's own topics (deployment's does not exist before the service starts) →
// every event in the ledger once, even after redelivery → queries by release, workload (through
// its release and deployment), actor, control and time → the trail grouped by kind → hostile
// query parameters refused with 400 naming the field.

describe('compliance: the cross-service audit ledger', () => {
  let ctx: TestContext;
  let service: TestService;
  let producer: Producer;
  let auditor: string;
  const run = randomBytes(3).toString('hex');
  const W1 = `W1-${run}`;
  const W2 = `W2-${run}`;
  const W3 = `W3-${run}`;
  const R = `R-${run}`;
  const D = `D-${run}`;
  const topics: Record<'planning' | 'compliance' | 'deployment', string> = {
    planning: '',
    compliance: '',
    deployment: '',
  };
  const sent: { topic: string; message: OutgoingMessage }[] = [];
  let minute = 0;

  const message = (
    service: 'planning' | 'compliance' | 'deployment',
    type: string,
    streamId: string,
    data: Record<string, unknown>,
    actor: string,
  ): { topic: string; message: OutgoingMessage } => ({
    topic: topics[service],
    message: toCloudEventMessage(
      {
        position: BigInt(++minute),
        transactionId: 1n,
        streamId,
        streamVersion: 1,
        type,
        schemaVersion: 1,
        data,
        metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor },
        // One minute apart, so time ranges select exactly.
        recordedAt: new Date(Date.UTC(2031, 4, 4, 9, minute)),
      },
      service,
    ),
  });

  const publish = async (messages: { topic: string; message: OutgoingMessage }[]) => {
    for (const { topic, message: m } of messages)
      await producer.send({
        topic,
        messages: [{ key: m.key, value: m.value, headers: { ...m.headers } }],
      });
  };

  const rest = async (path: string, token = auditor) => {
    const response = await fetch(`${service.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const idsOf = (body: Record<string, unknown>): string[] =>
    (body.items as { eventId: string }[]).map((item) => item.eventId);
  const idOf = (m: { message: OutgoingMessage } | undefined): string =>
    m?.message.headers['ce_id'] ?? 'missing';

  const ledgerCount = async (): Promise<number> =>
    Number(
      (await ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entries')).rows[0]
        ?.n ?? 0,
    );

  beforeAll(async () => {
    ctx = await createTestContext('ledger_e2e');
    topics.planning = ctx.topic('ledger-planning');
    topics.compliance = ctx.topic('ledger-compliance');
    topics.deployment = ctx.topic('ledger-deployment');
    const kafka = new Kafka({
      clientId: `ledger-${run}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    // Planning's and compliance's exist; deployment's does not: the ledger must create it.
    await admin.createTopics({
      topics: [
        { topic: topics.planning, numPartitions: 1 },
        { topic: topics.compliance, numPartitions: 1 },
      ],
    });
    if ((await admin.listTopics()).includes(topics.deployment))
      throw new Error('the deployment topic must not exist before the service starts');
    await admin.disconnect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    process.env.COMPLIANCE_PLANNING_TOPIC = topics.planning;
    process.env.COMPLIANCE_LEDGER_TOPICS = Object.values(topics).join(',');
    service = await startTestService(complianceService, ctx);
    auditor = await service.token('auditor');
    const admin2 = kafka.admin();
    await admin2.connect();
    await waitFor(async () => (await admin2.listTopics()).includes(topics.deployment), {
      description: 'the ledger creates the deployment topic',
    });
    await admin2.disconnect();

    sent.push(
      message('planning', 'WorkloadRegistered', `workload-${W1}`, { workloadId: W1 }, 'user:ann'),
      message('planning', 'WorkloadRegistered', `workload-${W2}`, { workloadId: W2 }, 'user:ann'),
      message(
        'planning',
        'ReleasePlanned',
        `release-${R}`,
        { releaseId: R, plannedBy: 'user:bob' },
        'user:bob',
      ),
      message(
        'planning',
        'ReleaseScopeCommitted',
        `release-${R}`,
        {
          releaseId: R,
          trainId: `T-${run}`,
          workloads: [{ workloadId: W1 }, { workloadId: W2 }],
          deploymentOrder: [
            { workloadId: W1, wave: 1 },
            { workloadId: W2, wave: 1 },
          ],
          committedBy: 'user:bob',
        },
        'user:bob',
      ),
      message(
        'planning',
        'ReleaseWorkloadIncluded',
        `release-${R}`,
        { releaseId: R, workloadId: W3 },
        'user:bob',
      ),
      message(
        'compliance',
        'PolicyEvaluated',
        `evaluation-workload-${W1}`,
        {
          evaluationId: `EV-${run}`,
          subject: { type: 'workload', id: W1 },
          policyId: 'change-control',
          result: 'allowed',
          rules: [{ ruleId: 'cab', controls: [`SOC2:CC8.1-${run}`], outcome: 'passed' }],
        },
        'compliance',
      ),
      message(
        'deployment',
        'DeploymentStarted',
        `deployment-${D}`,
        { deploymentId: D, releaseId: R, workloadIds: [W1, W2], startedBy: 'user:cy' },
        'user:cy',
      ),
      message(
        'deployment',
        'PromotionCompleted',
        `deployment-${D}`,
        { deploymentId: D, promotedBy: 'user:cy' },
        'user:cy',
      ),
    );
    await publish(sent);
  }, 90_000);

  afterAll(async () => {
    delete process.env.COMPLIANCE_PLANNING_TOPIC;
    delete process.env.COMPLIANCE_LEDGER_TOPICS;
    await producer?.disconnect();
    await service?.stop();
    await ctx?.dispose();
  });

  it('records every event once, also after redelivery, with its links', async () => {
    await waitFor(async () => (await ledgerCount()) === sent.length, {
      description: 'every event in the ledger',
      timeoutMs: 30_000,
    });
    // Redelivery: the same CloudEvents (same ids) again, then one fresh marker event behind them.
    await publish(sent);
    const marker = message('deployment', 'DeploymentMarked', `deployment-x-${run}`, {}, 'user:zed');
    await publish([marker]);
    await waitFor(async () => (await ledgerCount()) === sent.length + 1, {
      description: 'the marker behind the duplicates',
      timeoutMs: 30_000,
    });
    const rows = await ctx.pool.query<{ event_id: string; n: string }>(
      'SELECT event_id, count(*) OVER (PARTITION BY event_id) AS n FROM ledger_entries',
    );
    expect(rows.rows.every((row) => row.n === '1')).toBe(true);
    expect(new Set(rows.rows.map((row) => row.event_id))).toEqual(
      new Set([...sent, marker].map(idOf)),
    );
    const inbox = await ctx.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM inbox WHERE consumer_group LIKE '%.ledger'",
    );
    expect(Number(inbox.rows[0]?.n)).toBe(sent.length + 1);
  });

  it('answers a release with every event that links it, in time order', async () => {
    const { status, body } = await rest(`/api/compliance/ledger?release=${R}`);
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    expect(idsOf(body)).toEqual([sent[2], sent[3], sent[4], sent[6]].map(idOf));
  });

  it("answers a workload with its change request, evaluation, release and deployment events, not other workloads'", async () => {
    const { body } = await rest(`/api/compliance/ledger?workload=${W1}`);
    expect(idsOf(body)).toEqual([sent[0], sent[2], sent[3], sent[5], sent[6], sent[7]].map(idOf));
    const trail = await rest(`/api/compliance/ledger/workloads/${W1}`);
    expect(trail.status).toBe(200);
    const groups = trail.body.groups as { kind: string; items: { eventType: string }[] }[];
    expect(groups.map((g) => [g.kind, g.items.map((i) => i.eventType)])).toEqual([
      ['change-request', ['WorkloadRegistered']],
      ['release', ['ReleasePlanned', 'ReleaseScopeCommitted']],
      ['policy-evaluation', ['PolicyEvaluated']],
      ['promotion', ['PromotionCompleted']],
      ['deployment', ['DeploymentStarted']],
    ]);
    expect(trail.body.linked).toEqual(
      expect.arrayContaining([
        { kind: 'release', id: R },
        { kind: 'deployment', id: D },
      ]),
    );
    expect((await rest(`/api/compliance/ledger/workloads/none-${run}`)).status).toBe(404);
  });

  it('answers by actor, control and time range, paginated', async () => {
    const bob = await rest(`/api/compliance/ledger?actor=user:bob&release=${R}&pageSize=2&page=2`);
    expect(bob.body).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(idsOf(bob.body)).toEqual([idOf(sent[4])]);
    const control = await rest(`/api/compliance/ledger?control=SOC2:CC8.1-${run}`);
    expect(idsOf(control.body)).toEqual([idOf(sent[5])]);
    const window = await rest(
      `/api/compliance/ledger?workload=${W1}&from=2031-05-04T09:03:00Z&to=2031-05-04T09:07:00%2B00:00`,
    );
    expect(idsOf(window.body)).toEqual([sent[2], sent[3], sent[5]].map(idOf));
  });

  it('serves the same over gRPC to an auditor', async () => {
    const client: GrpcTestClient = service.client('trainyard.compliance.v1.LedgerService');
    const response = await callUnary<complianceLedger.QueryLedgerResponse>(
      client,
      'QueryLedger',
      { release: R, pageSize: 10 },
      auditor,
    );
    expect(response.total).toBe(4);
    expect(response.entries.map((e) => e.eventId)).toEqual(
      [sent[2], sent[3], sent[4], sent[6]].map(idOf),
    );
  });

  it('refuses hostile query parameters with 400 naming the field, and a caller without compliance:read', async () => {
    const cases: [string, string][] = [
      ['from=yesterday', 'from'],
      ['to=2031-13-01T00:00:00Z', 'to'],
      ['from=2031-05-05T00:00:00Z&to=2031-05-04T00:00:00Z', 'to'],
      ['pageSize=0', 'pageSize'],
      ['pageSize=201', 'pageSize'],
      ['page=-1', 'page'],
      ['actor=a&actor=b', 'actor'],
      ['workload=%01', 'workload'],
      [`control=${'x'.repeat(513)}`, 'control'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await rest(`/api/compliance/ledger?${query}`);
      expect([query, status, body.field]).toEqual([query, 400, field]);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('from', 'to', 'page', 'pageSize'),
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^\d{1,3}$/.test(s)),
        async (field, value) => {
          const { status, body } = await rest(
            `/api/compliance/ledger?${field}=${encodeURIComponent(value)}`,
          );
          expect([status, body.field]).toEqual([400, field]);
        },
      ),
      { numRuns: 40 },
    );
    const nobody = await service.token();
    expect((await rest(`/api/compliance/ledger?release=${R}`, nobody)).status).toBe(403);
  });
});
