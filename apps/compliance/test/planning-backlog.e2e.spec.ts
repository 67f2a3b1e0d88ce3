import { randomBytes } from 'node:crypto';
import type { Message, Producer } from 'kafkajs';
import { compliance } from '@trainyard/grpc-contracts';
import { waitFor, type TestService } from '@trainyard/testing';
import {
  activatePolicyBundle,
  ComplianceE2e,
  planningMessage,
} from './test-support/compliance-e2e.fixture';

// Issue 13's consumer throughput: a backlog of planning events is evaluated a fetched batch at a
// time (one transaction per batch) with the guarantees of one event at a time: every event
// evaluated once per active policy, a review opened once per regulated workload, a redelivered
// event recording nothing, a poison event dead-lettered without costing the others.

const rule = (id: string, expression: string): compliance.PolicyRule => ({
  id,
  description: id,
  expression,
  controls: ['SOC2:CC8.1'],
  effect: compliance.RuleEffect.RULE_EFFECT_BLOCK,
  triggers: ['workload-registered'],
});

const BACKLOG = 240;

describe('compliance: a backlog of planning events', () => {
  let e2e: ComplianceE2e;
  let service: TestService;
  let producer: Producer;
  let planningTopic: string;
  const run = randomBytes(3).toString('hex');

  const workloadRegistered = (n: number, data: Record<string, unknown> = {}): Message => {
    const workloadId = `W-${run}-${n}`;
    return planningMessage('WorkloadRegistered', `workload-${workloadId}`, {
      workloadId,
      title: `change ${n}`,
      team: 'payments',
      regulatedData: n % 3 === 0 ? ['pii'] : [],
      approvals: ['bob', 'carol'].slice(0, n % 3),
      registeredBy: 'alice',
      ...data,
    });
  };

  const count = async (sql: string, values: unknown[] = []): Promise<number> =>
    Number((await e2e.ctx.pool.query<{ n: string }>(sql, values)).rows[0]?.n ?? 0);
  const evaluations = () =>
    count(
      "SELECT count(*) AS n FROM events WHERE event_type = 'PolicyEvaluated' AND data->'subject'->>'id' LIKE $1",
      [`W-${run}-%`],
    );

  beforeAll(async () => {
    e2e = await ComplianceE2e.create('cpol_backlog');
    ({ topic: planningTopic, producer } = await e2e.planningEvents(4));
    service = await e2e.start();
    const client = service.client('trainyard.compliance.v1.ComplianceService');
    const policy = {
      policyId: `backlog-${run}`,
      version: '1.0.0',
      title: 'Backlog',
      rules: [
        rule(
          'regulated-needs-cab',
          'size(facts.regulatedData) == 0 || facts.approvals.size() >= 2',
        ),
        rule('known-team', "facts.team in ['payments', 'ledger']"),
      ],
    };
    await activatePolicyBundle(
      client,
      policy,
      await service.token('compliance-officer'),
      await service.token('admin'),
    );
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  it('evaluates every event of the backlog once, opens each review once, and records a redelivered event nothing', async () => {
    const messages = Array.from({ length: BACKLOG }, (_, n) => workloadRegistered(n));
    // A poison event (a subject id past the 200-character limit) among the others.
    const poison = workloadRegistered(BACKLOG, { workloadId: `W-${run}-${'x'.repeat(240)}` });
    const started = Date.now();
    await producer.send({
      topic: planningTopic,
      messages: [...messages.slice(0, 100), poison, ...messages.slice(100)],
    });
    await waitFor(async () => (await evaluations()) === BACKLOG, {
      description: `${BACKLOG} evaluations`,
      timeoutMs: 240_000,
      intervalMs: 250,
    });
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `planning backlog: ${BACKLOG} events evaluated in ${seconds.toFixed(1)} s (${(BACKLOG / seconds).toFixed(0)}/s)\n`,
    );

    // The first 50 again (same keys, so the same partitions), as a redelivery after a crash before
    // the offsets were committed; then one new event on each partition, behind them.
    const markers = [0, 1, 2, 3].map((partition) => ({
      ...workloadRegistered(BACKLOG + 1 + partition),
      partition,
    }));
    await producer.send({ topic: planningTopic, messages: [...messages.slice(0, 50), ...markers] });
    await waitFor(async () => (await evaluations()) === BACKLOG + markers.length, {
      description: 'the events after the redelivered ones, on every partition',
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    expect(await evaluations()).toBe(BACKLOG + markers.length);
    expect(
      await count(
        "SELECT count(DISTINCT data->>'evaluationId') AS n FROM events WHERE event_type = 'PolicyEvaluated' AND data->'subject'->>'id' LIKE $1",
        [`W-${run}-%`],
      ),
    ).toBe(BACKLOG + markers.length);
    // workloadRegistered(n) is regulated when n % 3 === 0: the backlog's and the markers'.
    const numbers = [...messages.keys(), ...markers.map((_, p) => BACKLOG + 1 + p)];
    const regulated = numbers.filter((n) => n % 3 === 0).length;
    expect(
      await count(
        "SELECT count(*) AS n FROM events WHERE event_type = 'ChangeReviewOpened' AND data->>'workloadId' LIKE $1",
        [`W-${run}-%`],
      ),
    ).toBe(regulated);
    // The poison event recorded nothing (its review too is refused: the id is too long).
    expect(
      await count(
        "SELECT count(*) AS n FROM events WHERE data->'subject'->>'id' LIKE $1 OR data->>'workloadId' LIKE $1",
        [`W-${run}-xxx%`],
      ),
    ).toBe(0);
  }, 420_000);
});
