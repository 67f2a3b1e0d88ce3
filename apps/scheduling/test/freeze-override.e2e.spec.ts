import { randomBytes, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { SCHEDULING_EVENTS_TOPIC } from '@trainyard/scheduling-contracts';
import type { freezeOverride } from '@trainyard/grpc-contracts';
import {
  callUnary,
  createTestContext,
  ManualClock,
  refusal,
  startTestService,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { FREEZE_OVERRIDE_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/**
 * Freeze overrides end to end on the real PostgreSQL: request → two approvals by others → active →
 * use → expiry recorded by the sweeper (its own timer, the service's ManualClock) → review opened
 * → closed; the four-eyes and review rules on the wire; hostile input refused before anything is
 * written.
 */
const clock = new ManualClock('2031-05-04T09:00:00.000Z');
const run = randomBytes(3).toString('hex');
const scope = { teams: ['storefront'], environments: ['prod'], components: ['checkout'] };

type Override = freezeOverride.FreezeOverride;

describe('freeze overrides over gRPC and REST', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  const tokens: Record<string, string> = {};
  const previousInterval = process.env.OVERRIDE_SWEEP_INTERVAL_MS;
  let consumer: Consumer | undefined;
  const received: { key: string; type: string; value: Record<string, unknown> }[] = [];

  /** A call as `who`, with its own correlation id (to count what it wrote). */
  const call = <T>(method: string, request: unknown, who: string, correlationId = randomUUID()) =>
    callUnary<T>(client, method, request, tokens[who], correlationId);
  const written = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);
  const get = async (path: string, who = 'viewer') => {
    const response = await fetch(`${service.httpUrl}/api/scheduling/${path}`, {
      headers: { authorization: `Bearer ${tokens[who] ?? ''}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const requestOf = (overrideId: string, overrides: Record<string, unknown> = {}) => ({
    overrideId,
    freezeId: `F-${run}`,
    scope,
    from: '2031-05-04T10:00:00Z',
    to: '2031-05-04T14:00:00Z',
    reason: 'Hotfix for the checkout outage INC-7',
    ...overrides,
  });

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    // The sweeper's own timer runs in this test; the module reads the interval at start.
    process.env.OVERRIDE_SWEEP_INTERVAL_MS = '100';
    ctx = await createTestContext('sched_override_e2e');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService({ ...schedulingService, clock }, ctx);
    client = service.client(FREEZE_OVERRIDE_GRPC_SERVICE);
    // Distinct subjects: a dev token's subject is `dev-<first role>`.
    tokens.requester = await service.token('release-manager');
    tokens.requesterWhoApproves = await service.token('release-manager', 'approver');
    tokens.approver = await service.token('approver');
    tokens.admin = await service.token('admin');
    tokens.placement = await service.token('service');
    tokens.reviewer = await service.token('compliance-officer');
    tokens.viewer = await service.token('viewer');
    const kafka = new Kafka({
      clientId: `override-e2e-${run}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await admin.listTopics()).includes(SCHEDULING_EVENTS_TOPIC), {
      description: `topic ${SCHEDULING_EVENTS_TOPIC}`,
    });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: ctx.groupId('overrides'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: SCHEDULING_EVENTS_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString() ?? '';
        // The topic is shared by every scheduling test file.
        if (key.includes(run))
          received.push({
            key,
            type: String(message.headers?.ce_type ?? ''),
            value: JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>,
          });
        return Promise.resolve();
      },
    });
  });
  afterAll(async () => {
    restorePlanningTopic();
    if (previousInterval === undefined) delete process.env.OVERRIDE_SWEEP_INTERVAL_MS;
    else process.env.OVERRIDE_SWEEP_INTERVAL_MS = previousInterval;
    await consumer?.disconnect();
    await service?.stop();
    await ctx?.dispose();
  });

  it('request → two approvals by others → active → used → expired by the sweeper → review opened → closed', async () => {
    const id = `O-${run}-flow`;
    const requested = await call<freezeOverride.RequestFreezeOverrideResponse>(
      'RequestFreezeOverride',
      requestOf(id),
      'requester',
    );
    expect(requested.override).toMatchObject({
      status: 'requested',
      activeNow: false,
      requestedBy: 'dev-release-manager',
      requiredApprovals: 2,
      approvalRule: 'prod-environment',
      from: '2031-05-04T10:00:00.000Z',
    });

    // The requester holding the approver role too: refused by rule, nothing written.
    const correlation = randomUUID();
    const self = await refusal(
      call('ApproveFreezeOverride', { overrideId: id }, 'requesterWhoApproves', correlation),
    );
    expect(self.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(self, 'trainyard-rule')).toBe('override-self-approval');
    expect(await written(correlation)).toBe(0);

    const first = await call<freezeOverride.ApproveFreezeOverrideResponse>(
      'ApproveFreezeOverride',
      { overrideId: id },
      'approver',
    );
    expect(first.override).toMatchObject({ status: 'requested', activeNow: false });
    const again = await call<freezeOverride.ApproveFreezeOverrideResponse>(
      'ApproveFreezeOverride',
      { overrideId: id },
      'approver',
    );
    expect(again).toMatchObject({ changed: false, override: { status: 'requested' } });

    // An admin is one more approver, never a bypass.
    const second = await call<freezeOverride.ApproveFreezeOverrideResponse>(
      'ApproveFreezeOverride',
      { overrideId: id },
      'admin',
    );
    expect(second.override).toMatchObject({
      status: 'active',
      activeNow: true,
      activatedAt: '2031-05-04T09:00:00.000Z',
    });
    expect(second.override?.approvals.map((a) => a.approvedBy)).toEqual([
      'dev-approver',
      'dev-admin',
    ]);

    const outside = await refusal(
      call(
        'RecordFreezeOverrideUse',
        {
          overrideId: id,
          deploymentId: 'D-2',
          start: '2031-05-04T13:30:00Z',
          end: '2031-05-04T15:00:00Z',
          scope,
        },
        'placement',
      ),
    );
    expect(trailer(outside, 'trainyard-rule')).toBe('override-use-outside-interval');
    const used = await call<freezeOverride.RecordFreezeOverrideUseResponse>(
      'RecordFreezeOverrideUse',
      {
        overrideId: id,
        deploymentId: 'D-1',
        start: '2031-05-04T11:00:00Z',
        end: '2031-05-04T12:00:00Z',
        scope,
      },
      'placement',
    );
    expect(used.override?.uses).toEqual([
      expect.objectContaining({ deploymentId: 'D-1', usedBy: 'dev-service' }),
    ]);

    // Past `to`: no longer active at once (time-based), then the sweeper records the expiry.
    clock.set('2031-05-04T14:00:01.000Z');
    const expired = await waitFor(
      async () => {
        const { body } = await get(`overrides/${id}`);
        return body.status === 'expired' && body;
      },
      { description: 'the sweeper to expire the override' },
    );
    expect(expired).toMatchObject({ activeNow: false, expiredAt: '2031-05-04T14:00:00.000Z' });

    const open = await get('override-reviews?status=open&page=1&pageSize=10');
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ page: 1, pageSize: 10 });
    expect(open.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          overrideId: id,
          status: 'open',
          trigger: 'expired',
          useCount: 1,
          dueAt: '2031-05-09T14:00:00.000Z',
          overdue: false,
        }),
      ]),
    );

    const own = await refusal(
      call(
        'CloseOverrideReview',
        { overrideId: id, outcome: 'justified', notes: 'fine' },
        'requester',
      ),
    );
    expect(own.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(own, 'trainyard-rule')).toBe('override-review-independent');

    const closed = await call<freezeOverride.CloseOverrideReviewResponse>(
      'CloseOverrideReview',
      { overrideId: id, outcome: 'justified', notes: 'One deployment, as stated in INC-7' },
      'reviewer',
    );
    expect(closed.review).toMatchObject({ status: 'closed', closedBy: 'dev-compliance-officer' });
    const stillOpen = await get('override-reviews?status=open');
    expect(stillOpen.body.items).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ overrideId: id })]),
    );

    const listed = await call<freezeOverride.ListFreezeOverridesResponse>(
      'ListFreezeOverrides',
      { status: 'expired', freezeId: `F-${run}` },
      'viewer',
    );
    expect(listed.items.map((o: Override) => o.overrideId)).toContain(id);

    // Every fact, the use included, is published as a CloudEvent keyed by the override's stream.
    const published = await waitFor(
      () => {
        const mine = received.filter((m) => m.key === `freeze-override-${id}`);
        return mine.length >= 8 && mine;
      },
      { description: 'the override CloudEvents on Kafka' },
    );
    expect(published.map((m) => m.type)).toEqual(
      [
        'FreezeOverrideRequested',
        'FreezeOverrideApproved',
        'FreezeOverrideApproved',
        'FreezeOverrideActivated',
        'FreezeOverrideUsed',
        'FreezeOverrideExpired',
        'OverrideReviewOpened',
        'OverrideReviewClosed',
      ].map((type) => `dev.trainyard.scheduling.${type}.v1`),
    );
    expect(published.find((m) => m.type.includes('FreezeOverrideUsed'))?.value).toMatchObject({
      overrideId: id,
      deploymentId: 'D-1',
      usedBy: 'dev-service',
    });
  });

  it('refuses hostile input with INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    clock.set('2031-05-04T09:00:00.000Z');
    const cases: [Record<string, unknown>, string][] = [
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2031-05-04T14:00' }, 'to'],
      [{ to: '2031-05-04T09:59:59Z' }, 'to'],
      [{ scope: {} }, 'scope'],
      [{ scope: { teams: ['a', 'a'] } }, 'scope.teams[1]'],
      [{ reason: ' ' }, 'reason'],
      [{ freezeId: '' }, 'freeze_id'],
      [{ reason: 'a\u0000b' }, 'reason'],
      [{ freezeId: 'x'.repeat(5_000) }, 'freeze_id'],
    ];
    for (const [patch, field] of cases) {
      const correlation = randomUUID();
      const error = await refusal(
        call('RequestFreezeOverride', requestOf(`O-${run}-bad`, patch), 'requester', correlation),
      );
      expect({ code: error.code, field: trailer(error, 'trainyard-field') }).toEqual({
        code: status.INVALID_ARGUMENT,
        field,
      });
      expect(await written(correlation)).toBe(0);
    }

    // Generated: anything that is not an RFC 3339 instant in `from` or `to`.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('from', 'to'),
        fc
          .oneof(
            fc.string({ maxLength: 30 }),
            fc.constantFrom('2031-02-30T10:00:00Z', '2031-05-04 10:00:00Z', '\uD800', 'NaN'),
          )
          .filter((s) => !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(s)),
        async (field, value) => {
          const correlation = randomUUID();
          const error = await refusal(
            call(
              'RequestFreezeOverride',
              requestOf(`O-${run}-gen`, { [field]: value }),
              'requester',
              correlation,
            ),
          );
          expect(error.code).toBe(status.INVALID_ARGUMENT);
          expect(trailer(error, 'trainyard-field')).toBe(field);
          expect(await written(correlation)).toBe(0);
        },
      ),
      { numRuns: 40 },
    );

    const rest = await get('overrides?status=bogus');
    expect(rest).toMatchObject({ status: 400, body: { field: 'status' } });
    expect((await get('override-reviews?pageSize=999')).body).toMatchObject({
      status: 400,
      field: 'pageSize',
    });
    expect((await get(`overrides/O-${run}-missing`)).status).toBe(404);
    const count = await ctx.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE stream_id IN ($1, $2)`,
      [`freeze-override-O-${run}-bad`, `freeze-override-O-${run}-gen`],
    );
    expect(Number(count.rows[0]?.n)).toBe(0);
  });

  it('authorises every method with its own permission', async () => {
    const denied = await refusal(
      call('RequestFreezeOverride', requestOf(`O-${run}-denied`), 'viewer'),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const approveDenied = await refusal(
      call('ApproveFreezeOverride', { overrideId: `O-${run}-flow` }, 'requester'),
    );
    expect(approveDenied.code).toBe(status.PERMISSION_DENIED);
    const document = (await (
      await fetch(`${service.httpUrl}/api/scheduling/docs-json`)
    ).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/scheduling/overrides',
        '/api/scheduling/overrides/{id}',
        '/api/scheduling/override-reviews',
      ]),
    );
  });
});
