import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Consumer } from 'kafkajs';
import { compliance } from '@trainyard/grpc-contracts';
import {
  callUnary,
  fieldViolationsOf,
  refusal,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestService,
} from '@trainyard/testing';
import {
  activatePolicyBundle,
  ComplianceE2e,
  workloadRegistered,
} from './test-support/compliance-e2e.fixture';

// The policy lifecycle end to end against PostgreSQL and Kafka: propose → self-approval refused →
// approved by another → a planning event on Kafka → evaluation stored with its explanation →
// replay equal after the policy changed; and the AuthZEN door onto the same policies.

const BLOCK = compliance.RuleEffect.RULE_EFFECT_BLOCK;
const WARN = compliance.RuleEffect.RULE_EFFECT_WARN;

const regulatedNeedsCab = (expression: string): compliance.PolicyRule => ({
  id: 'regulated-needs-cab',
  description: 'A workload touching regulated data goes through the change advisory board.',
  expression,
  controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
  effect: BLOCK,
  triggers: ['workload-registered'],
});
const twoApprovals: compliance.PolicyRule = {
  id: 'two-approvals',
  description: 'Two approvals are recorded with the change.',
  expression: 'facts.approvals.size() >= 2',
  controls: ['SOC2:CC8.1'],
  effect: WARN,
  triggers: ['workload-registered'],
};
const deployersOnly: compliance.PolicyRule = {
  id: 'prod-deployers',
  description: 'Only deployers may deploy to production.',
  expression:
    "facts.action.name != 'deploy' || facts.resource.properties.environment != 'prod' || 'deployer' in facts.subject.properties.roles",
  controls: ['SOC2:CC6.1'],
  effect: BLOCK,
  triggers: ['access-requested'],
};

describe('compliance: policies, evaluations with explanations, replay, AuthZEN', () => {
  let e2e: ComplianceE2e;
  let service: TestService;
  let client: GrpcTestClient;
  let consumer: Consumer;
  const published: { key: string; type: string; data: Record<string, unknown> }[] = [];
  let author: string;
  let approver: string;
  let auditor: string;
  let evaluator: string;
  const run = randomBytes(3).toString('hex');
  const policyId = `change-control-${run}`;
  const workloadId = `W-${run}`;

  const rest = async (path: string, token = auditor, body?: unknown) => {
    const response = await fetch(`${service.httpUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const policyEventCount = async (): Promise<number> =>
    Number(
      (
        await e2e.ctx.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM events WHERE event_type LIKE 'PolicyBundle%'",
        )
      ).rows[0]?.n ?? 0,
    );

  beforeAll(async () => {
    e2e = await ComplianceE2e.create('cpol_policies');
    await e2e.planningEvents();
    service = await e2e.start();
    client = service.client('trainyard.compliance.v1.ComplianceService');
    author = await service.token('compliance-officer');
    approver = await service.token('admin');
    auditor = await service.token('auditor');
    evaluator = await service.token('service');
    const complianceTopic = 'trainyard.compliance.events.v1';
    const admin2 = e2e.kafka.admin();
    await admin2.connect();
    await waitFor(async () => (await admin2.listTopics()).includes(complianceTopic), {
      description: complianceTopic,
    });
    await admin2.disconnect();
    consumer = e2e.kafka.consumer({ groupId: e2e.ctx.groupId('grc'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: complianceTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (key.includes(run))
          published.push({
            key,
            type: String(message.headers?.ce_type ?? ''),
            data: JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>,
          });
        return Promise.resolve();
      },
    });
  }, 60_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await e2e?.stop();
  });

  it('refuses an expression that does not type-check, naming the rule field', async () => {
    const error = await refusal(
      callUnary(
        client,
        'ProposePolicyBundle',
        {
          policyId,
          version: '0.9.0',
          title: 'Change control',
          rules: [regulatedNeedsCab("facts.jobSize > 'big'")],
        },
        author,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(error, 'trainyard-field')).toBe('rules[0].expression');
  });

  it('reports every problem of a bundle in one INVALID_ARGUMENT, each with its path, writing nothing', async () => {
    const before = await policyEventCount();
    const error = await refusal(
      callUnary(
        client,
        'ProposePolicyBundle',
        {
          policyId,
          version: 'v1',
          title: 'Change control',
          rules: [
            regulatedNeedsCab("facts.jobSize > 'big'"),
            {
              ...twoApprovals,
              effect: compliance.RuleEffect.RULE_EFFECT_UNSPECIFIED,
              controls: ['soc2'],
            },
            { ...twoApprovals, triggers: ['deployed'], expression: 'facts.approvals.size() >=' },
          ],
        },
        author,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(error, 'trainyard-field')).toBe('rules[1].effect');
    expect(fieldViolationsOf(error).map((v) => v.field)).toEqual([
      'rules[1].effect',
      'version',
      'rules[0].expression',
      'rules[1].controls[0]',
      'rules[2].id',
      'rules[2].triggers[0]',
      'rules[2].expression',
    ]);
    expect(error.details).toMatch(/^7 fields are invalid: /);
    expect(await policyEventCount()).toBe(before);
  });

  it('refuses self-approval (policy-four-eyes) and activates the version approved by another', async () => {
    const proposed = await callUnary<compliance.ProposePolicyBundleResponse>(
      client,
      'ProposePolicyBundle',
      {
        policyId,
        version: '1.0.0',
        title: 'Change control',
        rules: [
          regulatedNeedsCab("size(facts.regulatedData) == 0 || facts.approvalPath == 'cab'"),
          twoApprovals,
        ],
        reason: 'first version',
      },
      author,
    );
    expect(proposed.policy?.versions[0]).toMatchObject({
      version: '1.0.0',
      status: 'PROPOSED',
      proposedBy: 'dev-compliance-officer',
    });

    const self = await refusal(
      callUnary(client, 'ApprovePolicyBundle', { policyId, version: '1.0.0' }, author),
    );
    expect(self.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(self, 'trainyard-rule')).toBe('policy-four-eyes');

    const readOnly = await refusal(
      callUnary(client, 'ApprovePolicyBundle', { policyId, version: '1.0.0' }, auditor),
    );
    expect(readOnly.code).toBe(status.PERMISSION_DENIED);

    const approved = await callUnary<compliance.ApprovePolicyBundleResponse>(
      client,
      'ApprovePolicyBundle',
      { policyId, version: '1.0.0' },
      approver,
    );
    expect(approved.policy).toMatchObject({ activeVersion: '1.0.0' });
    expect(approved.policy?.versions[0]).toMatchObject({
      status: 'APPROVED',
      decidedBy: 'dev-admin',
    });
  });

  let evaluationId = '';

  it('evaluates a planning event from Kafka and stores the evaluation with its explanation', async () => {
    await e2e.publishPlanning(
      'WorkloadRegistered',
      `workload-${workloadId}`,
      workloadRegistered(workloadId, {
        title: 'Card vault rotation',
        regulatedData: ['pii', 'financial'],
        riskReasons: ['regulated data'],
        registeredBy: 'alice',
        registeredAt: '2031-05-04T09:00:00.000Z',
      }),
    );
    const page = await waitFor(
      async () => {
        const answer = await rest(
          `/api/compliance/evaluations?subjectType=workload&subjectId=${workloadId}`,
        );
        return answer.body.total === 1 ? answer.body : undefined;
      },
      { description: 'the evaluation of the registered workload', timeoutMs: 30_000 },
    );
    const [row] = page.items as Record<string, unknown>[];
    expect(row).toMatchObject({
      policyId,
      bundleVersion: '1.0.0',
      result: 'blocked',
      causeEventType: 'WorkloadRegistered',
    });
    expect(String(row?.evaluatorVersion)).toMatch(/^@bufbuild\/cel@\d+\.\d+\.\d+\+explainer@\d+$/);
    const explanation = row?.explanation as { ruleId: string; outcome: string; reason: string }[];
    expect(explanation.find((r) => r.ruleId === 'regulated-needs-cab')).toMatchObject({
      outcome: 'failed',
    });
    expect(explanation.find((r) => r.ruleId === 'regulated-needs-cab')?.reason).toContain(
      '`facts.approvalPath == \'cab\'` was false (facts.approvalPath = "standard")',
    );
    // A rule that cannot be evaluated (no approvals in the facts) is an explained error, never a pass.
    expect(explanation.find((r) => r.ruleId === 'two-approvals')).toMatchObject({
      outcome: 'error',
    });
    evaluationId = String(row?.evaluationId);

    const blocked = await rest(`/api/compliance/evaluations?result=blocked&pageSize=10`);
    expect(blocked.body).toMatchObject({ page: 1, pageSize: 10, total: 1 });
  });

  it('replays the evaluation under the bundle version of its day after the policy changed', async () => {
    await activatePolicyBundle(
      client,
      {
        policyId,
        version: '1.1.0',
        title: 'Change control, relaxed',
        rules: [
          regulatedNeedsCab("size(facts.regulatedData) == 0 || facts.riskTier == 'high'"),
          deployersOnly,
        ],
      },
      author,
      approver,
    );

    const replay = await rest(`/api/compliance/evaluations/${evaluationId}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      equal: true,
      differences: [],
      replayed: { bundleVersion: '1.0.0', result: 'blocked' },
    });

    const grpcReplay = await callUnary<compliance.ReplayEvaluationResponse>(
      client,
      'ReplayEvaluation',
      { evaluationId },
      auditor,
    );
    expect(grpcReplay).toMatchObject({ equal: true, original: { bundleVersion: '1.0.0' } });

    // The same facts under today's version decide otherwise.
    const stored = await callUnary<compliance.GetEvaluationResponse>(
      client,
      'GetEvaluation',
      { evaluationId },
      auditor,
    );
    const now = await callUnary<compliance.EvaluateResponse>(
      client,
      'Evaluate',
      {
        subjectType: 'workload',
        subjectId: workloadId,
        trigger: 'workload-registered',
        factsJson: stored.evaluation?.factsJson,
        policyId,
      },
      evaluator,
    );
    expect(now.evaluations[0]).toMatchObject({ bundleVersion: '1.1.0', result: 'allowed' });

    const versions = await rest(`/api/compliance/policies/${policyId}/versions`);
    expect(versions.body).toMatchObject({
      total: 2,
      items: [{ version: '1.0.0' }, { version: '1.1.0', status: 'Approved' }],
    });
  });

  it('answers AuthZEN access evaluations from the same policies, with the explanation', async () => {
    const request = (roles: string[]) => ({
      subject: { type: 'user', id: 'carol', properties: { roles } },
      action: { name: 'deploy' },
      resource: { type: 'workload', id: workloadId, properties: { environment: 'prod' } },
      context: { time: '2031-05-04T09:00:00Z' },
    });
    const allowed = await rest('/access/v1/evaluation', evaluator, request(['deployer']));
    expect(allowed).toMatchObject({ status: 200, body: { decision: true } });
    const denied = await rest('/access/v1/evaluation', evaluator, request(['viewer']));
    expect(denied).toMatchObject({ status: 200, body: { decision: false } });
    expect(JSON.stringify(denied.body.context)).toContain('prod-deployers');

    const batch = await rest('/access/v1/evaluations', evaluator, {
      subject: { type: 'user', id: 'dave', properties: { roles: ['viewer'] } },
      resource: { type: 'workload', id: workloadId, properties: { environment: 'prod' } },
      options: { evaluations_semantic: 'deny_on_first_deny' },
      evaluations: [
        { action: { name: 'read' } },
        { action: { name: 'deploy' } },
        { action: { name: 'read' } },
      ],
    });
    expect(batch.status).toBe(200);
    expect((batch.body.evaluations as { decision: boolean }[]).map((e) => e.decision)).toEqual([
      true,
      false,
    ]);

    const all = await rest('/access/v1/evaluations', evaluator, {
      subject: { type: 'user', id: 'dave', properties: { roles: ['viewer'] } },
      resource: { type: 'workload', id: workloadId, properties: { environment: 'prod' } },
      evaluations: [{ action: { name: 'deploy' } }, { action: { name: 'read' } }],
    });
    expect((all.body.evaluations as { decision: boolean }[]).map((e) => e.decision)).toEqual([
      false,
      true,
    ]);

    const bad = await rest('/access/v1/evaluation', evaluator, {
      subject: { type: 'user' },
      action: { name: 'x' },
      resource: { type: 'a', id: 'b' },
    });
    expect(bad).toMatchObject({ status: 400 });
    expect(JSON.stringify(bad.body)).toContain('subject.id');

    const unauthorised = await rest('/access/v1/evaluation', auditor, request(['deployer']));
    expect(unauthorised.status).toBe(403);
  });

  it('publishes approvals and evaluations for GRC tools on trainyard.compliance.events.v1', async () => {
    await waitFor(
      () =>
        published.some(
          (m) =>
            m.type === 'dev.trainyard.compliance.PolicyEvaluated.v1' &&
            m.key === `evaluation-workload-${workloadId}`,
        ) &&
        published.some(
          (m) =>
            m.type === 'dev.trainyard.compliance.PolicyBundleApproved.v1' &&
            m.key === `policy-${policyId}`,
        ),
      { description: 'the approval and the evaluation on Kafka', timeoutMs: 30_000 },
    );
    const evaluated = published.find(
      (m) => m.type === 'dev.trainyard.compliance.PolicyEvaluated.v1',
    );
    expect(evaluated?.data).toMatchObject({ policyId, bundleVersion: '1.0.0', result: 'blocked' });
    expect(published.some((m) => m.type.includes('PolicyBundleProposed'))).toBe(false);
  });

  it('refuses hostile proposals with INVALID_ARGUMENT naming the field, writing nothing', async () => {
    const { default: fc } = await import('fast-check');
    const before = await policyEventCount();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          policyId: fc.oneof(
            fc.string(),
            fc.constant(''),
            fc.constant('a\u0000b'),
            fc.constant('x'.repeat(300)),
          ),
          version: fc.oneof(fc.string(), fc.constant('1.0')),
          expression: fc.oneof(fc.string(), fc.constant('facts.'), fc.constant('1 + ')),
          control: fc.string(),
        }),
        async ({ policyId: id, version, expression, control }) => {
          const error = await refusal(
            callUnary(
              client,
              'ProposePolicyBundle',
              {
                policyId: id,
                version,
                title: 'Hostile',
                rules: [{ ...twoApprovals, expression, controls: [control] }],
              },
              author,
            ),
          );
          expect(error.code).toBe(status.INVALID_ARGUMENT);
          expect(trailer(error, 'trainyard-field')).toBeTruthy();
          // Every problem listed (BadRequest), the first being the one the trailer names.
          expect(fieldViolationsOf(error)[0]?.field).toBe(trailer(error, 'trainyard-field'));
        },
      ),
      { numRuns: 40 },
    );
    expect(await policyEventCount()).toBe(before);
    const facts = await refusal(
      callUnary(
        client,
        'Evaluate',
        { subjectType: 'workload', subjectId: 'W', factsJson: '[1,2]' },
        evaluator,
      ),
    );
    expect(facts.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(facts, 'trainyard-field')).toBe('facts_json');
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (body) => {
        const answer = await rest('/access/v1/evaluations', evaluator, body);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
    const page = await rest('/api/compliance/evaluations?page=0');
    expect(page.status).toBe(400);
    expect(JSON.stringify(page.body)).toContain('page');
  });
});
