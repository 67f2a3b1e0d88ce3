import { randomBytes, randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { planning } from '@trainyard/grpc-contracts';
import {
  callUnary,
  createTestContext,
  refusal,
  startTestService,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { SERVICE_PLANNING_POLICY } from '../src/config/planning-policy';
import { planningService } from '../src/planning.service';

const TOPIC = 'trainyard.planning.events.v1';

interface Received {
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: unknown;
}

describe('planning flow: gRPC command → event store → CloudEvent on Kafka → REST read model', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let audit: GrpcTestClient;
  let consumer: Consumer;
  let writer: string;
  let reader: string;
  const received: Received[] = [];
  const run = randomBytes(3).toString('hex');
  const team = `payments-${run}`;

  const registration = (
    workloadId: string,
    overrides: Partial<planning.RegisterWorkloadRequest> = {},
  ) => ({
    workloadId,
    title: `Checkout improvement ${workloadId}`,
    team,
    components: [{ name: 'checkout-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE }],
    regulatedData: [],
    jobSize: 3,
    businessValue: 8,
    timeCriticality: 5,
    riskReduction: 2,
    dependsOn: [],
    schemaChange: false,
    reason: 'quarterly roadmap',
    ...overrides,
  });

  const eventCount = async (): Promise<number> =>
    Number(
      (await ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n ?? 0,
    );

  const rest = async (path: string, token = reader): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${service.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    ctx = await createTestContext('planning_flow');
    service = await startTestService(planningService, ctx);
    client = service.client('trainyard.planning.v1.PlanningService');
    audit = service.client('trainyard.audit.v1.AuditTrailService');
    writer = await service.token('release-manager');
    reader = await service.token('viewer');
    const kafka = new Kafka({
      clientId: `planning-flow-${run}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await admin.listTopics()).includes(TOPIC), {
      description: `topic ${TOPIC}`,
    });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: ctx.groupId('flow'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const collect = (message: KafkaMessage) => {
      const key = message.key?.toString() ?? '';
      if (!key.includes(run)) return; // the topic is shared by every planning test file
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      received.push({
        key,
        headers,
        value: message.value ? JSON.parse(message.value.toString()) : undefined,
      });
    };
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(collect(message)) });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await service?.stop();
    await ctx?.dispose();
  });

  it('registers a workload: the event is stored with who and why, published as a CloudEvent and shown by the REST read model', async () => {
    const workloadId = `WL-${run}-1`;
    const correlationId = randomUUID();
    const response = await callUnary<planning.RegisterWorkloadResponse>(
      client,
      'RegisterWorkload',
      registration(workloadId),
      writer,
      correlationId,
    );
    expect(response.workload).toMatchObject({
      workloadId,
      state: 'WORKLOAD_STATE_BACKLOG',
      trackId: 'main',
      changeType: 'CHANGE_TYPE_NET_NEW_FEATURE',
      riskTier: 'RISK_TIER_MEDIUM',
    });
    expect(response.workload?.wsjf).toBeCloseTo(5, 5);

    const stored = await callUnary<{
      events: {
        type: string;
        eventId: string;
        actor: string;
        reason: string;
        correlationId: string;
        dataJson: string;
      }[];
    }>(audit, 'ReadStream', { streamId: `workload-${workloadId}` }, await service.token('auditor'));
    expect(stored.events).toHaveLength(1);
    const [event] = stored.events;
    expect(event).toMatchObject({
      type: 'WorkloadRegistered',
      actor: 'dev-release-manager',
      reason: 'quarterly roadmap',
      correlationId,
    });
    expect(JSON.parse(event?.dataJson ?? '{}')).toMatchObject({
      workloadId,
      team,
      registeredBy: 'dev-release-manager',
      route: { trackId: 'main' },
    });

    const message = await waitFor(() => received.find((m) => m.key === `workload-${workloadId}`), {
      description: 'the CloudEvent on Kafka',
    });
    expect(message.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'dev.trainyard.planning.WorkloadRegistered.v1',
      ce_source: '/trainyard/planning',
      ce_id: event?.eventId,
      ce_correlationid: correlationId,
      ce_actor: 'dev-release-manager',
    });
    expect(message.value).toMatchObject({ workloadId, team });

    const listed = await waitFor(
      async () => {
        const page = await rest(`/api/planning/workloads?team=${team}&state=backlog`);
        const items = (page.body as { items: { workloadId: string }[] }).items;
        return items.some((w) => w.workloadId === workloadId) && page;
      },
      { description: 'the workload in the REST read model' },
    );
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ page: 1, pageSize: 50, total: 1 });
    expect(
      (await rest(`/api/planning/workloads?team=${team}&class=net-new-feature&tier=medium`)).body,
    ).toMatchObject({ total: 1 });
    expect((await rest(`/api/planning/workloads?team=${team}&tier=high`)).body).toMatchObject({
      total: 0,
      items: [],
    });
  });

  it('refuses a registration with a missing field as INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    const before = await eventCount();
    const error = await refusal(
      callUnary(client, 'RegisterWorkload', registration(`WL-${run}-bad`, { title: '' }), writer),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(error, 'trainyard-field')).toBe('title');
    const noComponents = await refusal(
      callUnary(
        client,
        'RegisterWorkload',
        registration(`WL-${run}-bad`, { components: [] }),
        writer,
      ),
    );
    expect(noComponents.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(noComponents, 'trainyard-field')).toBe('components');
    expect(await eventCount()).toBe(before);
  });

  it('refuses a job size off the Fibonacci scale as INVALID_ARGUMENT, and writes nothing', async () => {
    const before = await eventCount();
    const error = await refusal(
      callUnary(client, 'RegisterWorkload', registration(`WL-${run}-big`, { jobSize: 4 }), writer),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(error, 'trainyard-field')).toBe('job_size');
    expect(error.details).toContain('modified Fibonacci');
    expect(await eventCount()).toBe(before);
  });

  it('answers NOT_FOUND for an unknown release, over gRPC and REST, and writes nothing', async () => {
    const before = await eventCount();
    const commit = await refusal(
      callUnary(client, 'CommitReleaseScope', { releaseId: `R-${run}-missing` }, writer),
    );
    expect(commit.code).toBe(status.NOT_FOUND);
    const get = await refusal(
      callUnary(client, 'GetRelease', { releaseId: `R-${run}-missing` }, reader),
    );
    expect(get.code).toBe(status.NOT_FOUND);
    expect((await rest(`/api/planning/releases/R-${run}-missing`)).status).toBe(404);
    expect(await eventCount()).toBe(before);
  });

  it('refuses a registration that would close a dependency cycle as FAILED_PRECONDITION naming the cycle, and writes nothing', async () => {
    const a = `WL-${run}-A`;
    const b = `WL-${run}-B`;
    await callUnary(client, 'RegisterWorkload', registration(a, { dependsOn: [b] }), writer);
    const before = await eventCount();
    const error = await refusal(
      callUnary(client, 'RegisterWorkload', registration(b, { dependsOn: [a] }), writer),
    );
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(error, 'trainyard-rule')).toBe('dependency-acyclic');
    expect(error.details).toBe(`dependency cycle: ${b} → ${a} → ${b}`);
    expect(await eventCount()).toBe(before);
  });

  it('refuses a command to a role without planning:write as PERMISSION_DENIED, and bad REST query parameters as 400', async () => {
    const error = await refusal(
      callUnary(client, 'RegisterWorkload', registration(`WL-${run}-viewer`), reader),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
    const approve = await refusal(
      callUnary(
        client,
        'RequestScopeException',
        {
          releaseId: 'x',
          workloadId: 'y',
          change: 'SCOPE_CHANGE_INCLUDE',
          reason: 'r',
          approver: 'a',
        },
        writer,
      ),
    );
    expect(approve.code).toBe(status.PERMISSION_DENIED);
    expect((await rest('/api/planning/workloads?state=sleeping')).status).toBe(400);
    expect((await rest('/api/planning/workloads?pageSize=0')).status).toBe(400);
    expect((await rest('/api/planning/releases?page=abc')).status).toBe(400);
    // A signature byte changed in the middle (the last base64url character carries padding bits).
    const [head, body, signature = ''] = writer.split('.');
    const middle = Math.floor(signature.length / 2);
    const tampered = `${head}.${body}.${signature.slice(0, middle)}${signature[middle] === 'A' ? 'B' : 'A'}${signature.slice(middle + 1)}`;
    expect((await rest('/api/planning/releases', tampered)).status).toBe(401);
  });

  it('plans, allocates, commits and closes a release: scope with a reason per workload, capacity used, history for the next one', async () => {
    const releaseId = `R-${run}-1`;
    const ids = [`WL-${run}-P1`, `WL-${run}-P2`, `WL-${run}-P3`];
    await callUnary(
      client,
      'RegisterWorkload',
      registration(ids[0] as string, { jobSize: 5, team: `ledger-${run}` }),
      writer,
    );
    await callUnary(
      client,
      'RegisterWorkload',
      registration(ids[1] as string, {
        jobSize: 8,
        dependsOn: [ids[0] as string],
        team: `ledger-${run}`,
      }),
      writer,
    );
    await callUnary(
      client,
      'RegisterWorkload',
      registration(ids[2] as string, {
        changeType: planning.ChangeType.CHANGE_TYPE_COMPLIANCE_AUDIT,
        team: `audit-${run}`,
        jobSize: 2,
      }),
      writer,
    );
    await callUnary(
      client,
      'PlanRelease',
      {
        releaseId,
        trainId: 'main',
        windowStart: '2031-01-05T08:00:00Z',
        windowEnd: '2031-01-19T18:00:00Z',
      },
      writer,
    );
    const preview = await callUnary<planning.AllocateReleaseResponse>(
      client,
      'AllocateRelease',
      { releaseId },
      reader,
    );
    const entries = preview.plan?.entries ?? [];
    expect(entries.map((e) => e.workloadId)).toEqual(expect.arrayContaining(ids));
    expect(entries.find((e) => e.workloadId === ids[2])).toMatchObject({
      decision: 'SCOPE_DECISION_INCLUDED',
      order: 1,
    });
    for (const e of entries) expect(e.reason).not.toBe('');

    const committed = await callUnary<planning.CommitReleaseScopeResponse>(
      client,
      'CommitReleaseScope',
      { releaseId, reason: 'PI planning' },
      writer,
    );
    expect(committed).toMatchObject({ status: 'RELEASE_STATUS_SCOPE_COMMITTED', warnings: [] });
    const included = (committed.plan?.entries ?? []).filter(
      (e) => e.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED,
    );

    const detail = await waitFor(
      async () => {
        const r = await rest(`/api/planning/releases/${releaseId}`);
        const body = r.body as {
          status: string;
          scope: { workloadId: string; reason: string; decision: string }[];
          capacityUsed: number;
        };
        return (
          body.status === 'scope-committed' &&
          body.scope.every((s) => s.reason !== '') &&
          body.scope.length >= included.length &&
          body
        );
      },
      { description: 'the committed release in the REST read model' },
    );
    expect(detail.capacityUsed).toBe(included.reduce((sum, e) => sum + e.jobSize, 0));
    expect(detail.scope.find((s) => s.workloadId === ids[2])).toMatchObject({
      decision: 'included',
    });
    const workload = await callUnary<planning.GetWorkloadResponse>(
      client,
      'GetWorkload',
      { workloadId: ids[2] },
      reader,
    );
    expect(workload.workload).toMatchObject({ state: 'WORKLOAD_STATE_PLANNED', releaseId });

    const closed = await callUnary<planning.CloseReleaseResponse>(
      client,
      'CloseRelease',
      { releaseId, completed: included.map((e) => ({ workloadId: e.workloadId, jobSize: 0 })) },
      writer,
    );
    expect(closed.status).toBe('RELEASE_STATUS_RELEASED');
    expect(closed.notCompleted).toEqual([]);
    const estimate = await callUnary<planning.EstimateCapacityResponse>(
      client,
      'EstimateCapacity',
      { trainId: 'main', teams: [`audit-${run}`] },
      reader,
    );
    expect(estimate.estimate?.teams[0]).toMatchObject({
      team: `audit-${run}`,
      basis: 'history',
      samples: [2],
    });
    const releases = await rest('/api/planning/releases?status=released&trainId=main');
    expect(
      (releases.body as { items: { releaseId: string }[] }).items.map((r) => r.releaseId),
    ).toContain(releaseId);

    // The tech-debt reserve is the policy's share of the whole quarter: a later release of the
    // same quarter reserves that share of both releases' capacity, less what the first one took.
    const later = `R-${run}-1q`;
    await callUnary(
      client,
      'PlanRelease',
      {
        releaseId: later,
        trainId: 'main',
        windowStart: '2031-03-09T08:00:00Z',
        windowEnd: '2031-03-23T18:00:00Z',
      },
      writer,
    );
    const quarter = await callUnary<planning.AllocateReleaseResponse>(
      client,
      'AllocateRelease',
      { releaseId: later },
      reader,
    );
    const first = committed.plan;
    const firstDebt = included
      .filter((e) => e.changeType === planning.ChangeType.CHANGE_TYPE_TECHNICAL_DEBT)
      .reduce((sum, e) => sum + e.jobSize, 0);
    const total = quarter.plan?.capacityTotal ?? 0;
    expect(first?.capacityTotal).toBeGreaterThan(0);
    expect(quarter.plan?.techDebt?.reserve).toBe(
      Math.min(
        total,
        Math.max(
          0,
          Math.floor(
            SERVICE_PLANNING_POLICY.allocation.techDebtReserveShare *
              ((first?.capacityTotal ?? 0) + total),
          ) - firstDebt,
        ),
      ),
    );
    expect(quarter.plan?.techDebt?.reserve).not.toBe(
      Math.floor(SERVICE_PLANNING_POLICY.allocation.techDebtReserveShare * total),
    );
    await callUnary(
      client,
      'CancelRelease',
      { releaseId: later, reason: 'quarter check only' },
      writer,
    );
  });

  it('flags shared-library version skew among the workloads committed together, and refuses a version that is not semver', async () => {
    const releaseId = `R-${run}-skew`;
    const [a, b] = [`WL-${run}-SA`, `WL-${run}-SB`];
    const skewed = (workloadId: string, team: string, version: string) =>
      registration(workloadId, {
        team,
        jobSize: 1,
        changeType: planning.ChangeType.CHANGE_TYPE_COMPLIANCE_AUDIT,
        components: [
          { name: `data-skew-${run}`, kind: planning.ComponentKind.COMPONENT_KIND_SERVICE },
        ],
        libraries: [{ name: 'auth-client', version }],
      });
    const before = await ctx.pool.query('SELECT count(*)::int AS n FROM events');
    const bad = await refusal(
      callUnary(
        client,
        'RegisterWorkload',
        skewed(`WL-${run}-SX`, `skew-a-${run}`, 'v1.3'),
        writer,
      ),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(bad, 'trainyard-field')).toBe('libraries[0].version');
    expect((await ctx.pool.query('SELECT count(*)::int AS n FROM events')).rows[0]).toEqual(
      before.rows[0],
    );

    await callUnary(client, 'RegisterWorkload', skewed(a, `skew-a-${run}`, '1.3.1'), writer);
    await callUnary(client, 'RegisterWorkload', skewed(b, `skew-b-${run}`, '1.2.4'), writer);
    const registered = await callUnary<planning.GetWorkloadResponse>(
      client,
      'GetWorkload',
      { workloadId: b },
      reader,
    );
    expect(registered.workload?.libraries).toEqual([{ name: 'auth-client', version: '1.2.4' }]);
    await callUnary(
      client,
      'PlanRelease',
      {
        releaseId,
        trainId: 'data',
        windowStart: '2031-05-04T08:00:00Z',
        windowEnd: '2031-05-18T18:00:00Z',
      },
      writer,
    );
    const committed = await callUnary<planning.CommitReleaseScopeResponse>(
      client,
      'CommitReleaseScope',
      { releaseId },
      writer,
    );
    const skew = {
      library: 'auth-client',
      target: '1.3.1',
      versions: [
        { version: '1.2.4', workloadIds: [b] },
        { version: '1.3.1', workloadIds: [a] },
      ],
      resolutions: [
        expect.objectContaining({
          version: '1.2.4',
          action: 'SKEW_ACTION_BACKPORT',
          line: '1.2.x',
          workloadIds: [b],
        }),
      ],
    };
    expect(committed.plan?.versionSkews).toEqual([expect.objectContaining(skew)]);
    const release = await waitFor(
      async () => {
        const r = await callUnary<planning.GetReleaseResponse>(
          client,
          'GetRelease',
          { releaseId },
          reader,
        );
        return (
          r.release?.status === planning.ReleaseStatus.RELEASE_STATUS_SCOPE_COMMITTED && r.release
        );
      },
      { description: 'the committed release with its version skew' },
    );
    expect(release.versionSkews).toEqual([expect.objectContaining(skew)]);
    const detail = await rest(`/api/planning/releases/${releaseId}`);
    expect((detail.body as { versionSkews: unknown[] }).versionSkews).toEqual([
      expect.objectContaining({
        library: 'auth-client',
        target: '1.3.1',
        resolutions: [expect.objectContaining({ action: 'backport', workloadIds: [b] })],
      }),
    ]);
  });

  it('records API deprecation timelines, refuses consumers of a removed version and lists those still on a deprecated one', async () => {
    const api = `accounts-${run}`;
    const deprecation = {
      api,
      version: 'v1',
      deprecatedAt: '2026-01-01T00:00:00Z',
      sunsetAt: '2026-06-01T00:00:00Z',
      reason: 'v2 replaces it',
    };
    const events = async () =>
      (await ctx.pool.query('SELECT count(*)::int AS n FROM events')).rows[0] as { n: number };
    const before = await events();
    const backwards = await refusal(
      callUnary(
        client,
        'DeprecateApiVersion',
        { ...deprecation, sunsetAt: '2025-12-01T00:00:00Z' },
        writer,
      ),
    );
    expect(backwards.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(backwards, 'trainyard-field')).toBe('sunset_at');
    const unexplained = await refusal(
      callUnary(client, 'DeprecateApiVersion', { ...deprecation, reason: '' }, writer),
    );
    expect(trailer(unexplained, 'trainyard-field')).toBe('reason');
    expect(await events()).toEqual(before);

    const announced = await callUnary<planning.DeprecateApiVersionResponse>(
      client,
      'DeprecateApiVersion',
      deprecation,
      writer,
    );
    expect(announced).toMatchObject({
      changed: true,
      lifecycle: {
        api,
        version: 'v1',
        sunsetAt: '2026-06-01T00:00:00.000Z',
        deprecatedBy: 'dev-release-manager',
      },
    });
    const again = await callUnary<planning.DeprecateApiVersionResponse>(
      client,
      'DeprecateApiVersion',
      deprecation,
      writer,
    );
    expect(again.changed).toBe(false);
    const moved = await refusal(
      callUnary(
        client,
        'DeprecateApiVersion',
        { ...deprecation, sunsetAt: '2027-01-01T00:00:00Z' },
        writer,
      ),
    );
    expect(moved.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(moved, 'trainyard-rule')).toBe('api-deprecation-timeline-fixed');

    const afterDeprecation = await events();
    const removed = await refusal(
      callUnary(
        client,
        'RegisterWorkload',
        registration(`WL-${run}-API1`, { consumedApis: [{ api, version: 'v1' }] }),
        writer,
      ),
    );
    expect(removed.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(removed, 'trainyard-rule')).toBe('api-version-sunset');
    expect(await events()).toEqual(afterDeprecation);

    await callUnary(
      client,
      'DeprecateApiVersion',
      { api, version: 'v2', deprecatedAt: '2026-02-01T00:00:00Z', reason: 'v3 is coming' },
      writer,
    );
    const consumer = `WL-${run}-API2`;
    await callUnary(
      client,
      'RegisterWorkload',
      registration(consumer, { consumedApis: [{ api, version: 'v2' }] }),
      writer,
    );
    const listed = await callUnary<planning.ListApiDeprecationsResponse>(
      client,
      'ListApiDeprecations',
      { api },
      reader,
    );
    expect(listed.versions.map((v) => v.version)).toEqual(['v1', 'v2']);
    expect(listed.flags).toEqual([
      expect.objectContaining({
        consumer,
        api,
        version: 'v2',
        status: planning.DeprecationStatus.DEPRECATION_STATUS_DEPRECATED,
      }),
    ]);
    const portal = await rest(`/api/planning/api-deprecations?api=${api}`);
    expect(portal.status).toBe(200);
    expect(portal.body).toMatchObject({
      total: 1,
      items: [{ consumer, api, version: 'v2', status: 'deprecated' }],
      versions: [{ version: 'v1' }, { version: 'v2' }],
    });
    // Only open work is flagged: once withdrawn, nobody is left on v2 (and the backlog of the
    // main train is as the other tests expect it).
    await callUnary(
      client,
      'WithdrawWorkload',
      { workloadId: consumer, reason: 'moved to v3' },
      writer,
    );
    const after = await callUnary<planning.ListApiDeprecationsResponse>(
      client,
      'ListApiDeprecations',
      { api },
      reader,
    );
    expect(after.flags).toEqual([]);
  });

  it('changes committed scope only by an exception with an independent approver; the workload follows on its own stream', async () => {
    const admin = await service.token('admin');
    const releaseId = `R-${run}-x`;
    const [x, y, z] = [`WL-${run}-X`, `WL-${run}-Y`, `WL-${run}-Z`];
    const xTeam = `exceptions-${run}`;
    await callUnary(
      client,
      'RegisterWorkload',
      registration(x, { team: xTeam, jobSize: 2 }),
      writer,
    );
    await callUnary(
      client,
      'PlanRelease',
      {
        releaseId,
        trainId: 'main',
        windowStart: '2031-02-02T08:00:00Z',
        windowEnd: '2031-02-16T18:00:00Z',
      },
      writer,
    );
    await callUnary(client, 'CommitReleaseScope', { releaseId }, writer);
    await callUnary(
      client,
      'RegisterWorkload',
      registration(z, { team: xTeam, jobSize: 5 }),
      writer,
    );
    await callUnary(
      client,
      'RegisterWorkload',
      registration(y, { team: xTeam, jobSize: 1 }),
      writer,
    );

    const before = await eventCount();
    const own = await refusal(
      callUnary(
        client,
        'RequestScopeException',
        {
          releaseId,
          workloadId: z,
          change: 'SCOPE_CHANGE_INCLUDE',
          reason: 'urgent',
          approver: 'dev-admin',
        },
        admin,
      ),
    );
    expect(own.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(own, 'trainyard-rule')).toBe('independent-approver');
    const unnamed = await refusal(
      callUnary(
        client,
        'RequestScopeException',
        {
          releaseId,
          workloadId: z,
          change: 'SCOPE_CHANGE_INCLUDE',
          reason: 'urgent',
          approver: '',
        },
        admin,
      ),
    );
    expect(unnamed.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(unnamed, 'trainyard-field')).toBe('approver');
    const plain = await refusal(
      callUnary(
        client,
        'NegotiateReleaseScope',
        { releaseId, workloadId: z, change: 'SCOPE_CHANGE_INCLUDE' },
        writer,
      ),
    );
    expect(plain.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(plain, 'trainyard-rule')).toBe('scope-change-requires-exception');
    expect(await eventCount()).toBe(before);

    const included = await callUnary<planning.RequestScopeExceptionResponse>(
      client,
      'RequestScopeException',
      {
        releaseId,
        workloadId: z,
        change: 'SCOPE_CHANGE_INCLUDE',
        reason: 'regulator deadline',
        approver: 'head-of-delivery',
      },
      admin,
    );
    expect(included).toMatchObject({ changed: true, capacityUsed: 7 });
    const excluded = await callUnary<planning.RequestScopeExceptionResponse>(
      client,
      'RequestScopeException',
      {
        releaseId,
        workloadId: x,
        change: 'SCOPE_CHANGE_EXCLUDE',
        reason: 'vendor late',
        approver: 'head-of-delivery',
      },
      admin,
    );
    expect(excluded).toMatchObject({ changed: true, capacityUsed: 5 });
    expect(
      (
        await callUnary<planning.GetWorkloadResponse>(
          client,
          'GetWorkload',
          { workloadId: z },
          reader,
        )
      ).workload,
    ).toMatchObject({ state: 'WORKLOAD_STATE_PLANNED', releaseId });
    expect(
      (
        await callUnary<planning.GetWorkloadResponse>(
          client,
          'GetWorkload',
          { workloadId: x },
          reader,
        )
      ).workload,
    ).toMatchObject({
      state: 'WORKLOAD_STATE_BACKLOG',
      deferralCount: 1,
      lastDeferralReason: expect.stringContaining('vendor late') as string,
    });
    const release = (
      await callUnary<planning.GetReleaseResponse>(client, 'GetRelease', { releaseId }, reader)
    ).release;
    expect(release?.scope.find((s) => s.workloadId === z)).toMatchObject({
      decision: 'SCOPE_DECISION_INCLUDED',
      unplanned: true,
      approver: 'head-of-delivery',
      reason: 'scope exception (include) approved by head-of-delivery: regulator deadline',
    });
    expect(release?.scope.find((s) => s.workloadId === x)).toMatchObject({
      decision: 'SCOPE_DECISION_EXCLUDED',
    });
  });

  it('opens an emergency patch on an independent track only when the policy criteria hold', async () => {
    const admin = await service.token('admin');
    const hot = `WL-${run}-HOT`;
    await callUnary(
      client,
      'RegisterWorkload',
      registration(hot, {
        changeType: planning.ChangeType.CHANGE_TYPE_EMERGENCY_PATCH,
        severity: 5,
        linkedIncident: 'INC-9',
        jobSize: 1,
      }),
      writer,
    );
    const before = await eventCount();
    const onTrain = await refusal(
      callUnary(
        client,
        'RequestEmergencyPatch',
        { releaseId: `R-${run}-hot0`, trackId: 'main', workloadId: hot, approver: 'cab' },
        admin,
      ),
    );
    expect(onTrain.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(onTrain, 'trainyard-rule')).toBe('emergency-patch.independent-track');
    const unapproved = await refusal(
      callUnary(
        client,
        'RequestEmergencyPatch',
        { releaseId: `R-${run}-hot0`, trackId: 'hotfix', workloadId: hot },
        admin,
      ),
    );
    expect(trailer(unapproved, 'trainyard-rule')).toBe('emergency-patch.approver');
    expect(await eventCount()).toBe(before);

    const scheduled = await callUnary<planning.RequestEmergencyPatchResponse>(
      client,
      'RequestEmergencyPatch',
      {
        releaseId: `R-${run}-hot1`,
        trackId: 'hotfix',
        workloadId: hot,
        approver: 'cab-chair',
        reason: 'INC-9',
      },
      admin,
    );
    expect(scheduled.status).toBe('RELEASE_STATUS_SCOPE_COMMITTED');
    expect(
      (
        await callUnary<planning.GetWorkloadResponse>(
          client,
          'GetWorkload',
          { workloadId: hot },
          reader,
        )
      ).workload,
    ).toMatchObject({
      state: 'WORKLOAD_STATE_PLANNED',
      releaseId: `R-${run}-hot1`,
    });
    const release = (await rest(`/api/planning/releases/R-${run}-hot1`)).body;
    expect(release).toMatchObject({
      kind: 'emergency',
      trainId: 'hotfix',
      capacityUsed: 1,
      scope: [expect.objectContaining({ workloadId: hot, unplanned: true })],
    });
  });

  it('cancels a release only with a reason, and withdraws a workload', async () => {
    const releaseId = `R-${run}-c`;
    await callUnary(
      client,
      'PlanRelease',
      {
        releaseId,
        trainId: 'data',
        windowStart: '2031-03-02T08:00:00Z',
        windowEnd: '2031-03-16T18:00:00Z',
      },
      writer,
    );
    const noReason = await refusal(callUnary(client, 'CancelRelease', { releaseId }, writer));
    expect(noReason.code).toBe(status.INVALID_ARGUMENT);
    expect(trailer(noReason, 'trainyard-field')).toBe('reason');
    const cancelled = await callUnary<planning.CancelReleaseResponse>(
      client,
      'CancelRelease',
      { releaseId, reason: 'train skipped' },
      writer,
    );
    expect(cancelled.status).toBe('RELEASE_STATUS_CANCELLED');
    const w = `WL-${run}-W`;
    await callUnary(client, 'RegisterWorkload', registration(w), writer);
    const withdrawn = await callUnary<planning.WithdrawWorkloadResponse>(
      client,
      'WithdrawWorkload',
      { workloadId: w, reason: 'duplicate' },
      writer,
    );
    expect(withdrawn.state).toBe('WORKLOAD_STATE_WITHDRAWN');
  });

  it('answers ALREADY_EXISTS to every registration of a workload after the first, also when they race, and stores one registration', async () => {
    const workloadId = `WL-${run}-race`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        callUnary(
          client,
          'RegisterWorkload',
          registration(workloadId, { title: `attempt ${i}` }),
          writer,
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const codes = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [(o.reason as ServiceError).code] : [],
    );
    expect(codes).toEqual([
      status.ALREADY_EXISTS,
      status.ALREADY_EXISTS,
      status.ALREADY_EXISTS,
      status.ALREADY_EXISTS,
    ]);
    const again = await refusal(
      callUnary(client, 'RegisterWorkload', registration(workloadId), writer),
    );
    expect(again.code).toBe(status.ALREADY_EXISTS);
    const stored = await ctx.pool.query(
      'SELECT count(*)::int AS n FROM events WHERE stream_id = $1',
      [`workload-${workloadId}`],
    );
    expect(stored.rows[0]).toEqual({ n: 1 });
  });

  it('answers ABORTED to a command that lost a race for the same stream version, and stores only the winners', async () => {
    const releaseId = `R-${run}-race`;
    await callUnary(
      client,
      'PlanRelease',
      {
        releaseId,
        trainId: 'data',
        windowStart: '2031-04-06T08:00:00Z',
        windowEnd: '2031-04-20T18:00:00Z',
      },
      writer,
    );
    // Each round loads the release concurrently; whoever appends second at a version loses. Rounds
    // repeat (bounded) until a loser was seen, since the scheduler may serialise one round.
    let succeeded = 0;
    const codes: number[] = [];
    for (let round = 0; round < 10 && codes.length === 0; round++) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          callUnary(
            client,
            'NegotiateReleaseScope',
            { releaseId, workloadId: `WL-${run}-n${round}-${i}`, change: 'SCOPE_CHANGE_INCLUDE' },
            writer,
          ),
        ),
      );
      succeeded += outcomes.filter((o) => o.status === 'fulfilled').length;
      for (const o of outcomes)
        if (o.status === 'rejected') codes.push((o.reason as ServiceError).code);
    }
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set([status.ABORTED]));
    const stored = await ctx.pool.query(
      'SELECT count(*)::int AS n FROM events WHERE stream_id = $1',
      [`release-${releaseId}`],
    );
    expect(stored.rows[0]).toEqual({ n: 1 + succeeded });
  });

  it('publishes the OpenAPI document of the REST read models', async () => {
    const response = await fetch(`${service.httpUrl}/api/planning/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/planning/api-deprecations',
      '/api/planning/backlog-health',
      '/api/planning/dependency-matrix',
      '/api/planning/releases',
      '/api/planning/releases/{id}',
      '/api/planning/workloads',
    ]);
    expect(
      (await fetch(`${service.httpUrl}/api/planning/docs`)).headers.get('content-type'),
    ).toContain('text/html');
  });
});
