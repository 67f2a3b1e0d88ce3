import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Root } from 'protobufjs';
import { PROTO_INCLUDE_DIR } from '@trainyard/grpc-contracts';
import {
  callUnary,
  createTestContext,
  errorOf,
  hostileMessage,
  hostileText,
  ManualClock,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import {
  CALENDAR_GRPC_SERVICE,
  POOL_GRPC_SERVICE,
  schedulingService,
} from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';
import { PgPoolSlots } from '../src/jobs/capacity/pg-pool-slots';
import { PoolQueries } from '../src/jobs/capacity/pool.queries';
import { RefreshingFairSharePolicy } from '../src/jobs/capacity/refreshing-fair-share.policy';

/**
 * PoolService over gRPC and REST against the booted service: pools with a month-end reservation
 * from a holiday calendar entry, utilisation, team weights; hostile input (generated from the
 * proto, and bodies) answers INVALID_ARGUMENT / 400 naming the field, and writes nothing.
 */
const root = new Root();
root.resolvePath = (_origin, target) => join(PROTO_INCLUDE_DIR, target);
root.loadSync('trainyard/scheduling/v1/pools.proto');
root.resolveAll();
const SERVER_FAULTS = new Set<number>([status.INTERNAL, status.UNKNOWN, status.UNIMPLEMENTED]);

// Strings the service recognises, among the generated hostile ones.
const KNOWN = ['DB Payments', 'db:payments', 'month-end'];
const hostileString = hostileText(KNOWN);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 1.5, 2 ** 31 - 1, -(2 ** 31), 10_001),
);

describe('pools and fair share over gRPC and REST', () => {
  const clock = new ManualClock('2031-05-31T12:00:00.000Z'); // month-end
  const run = Math.random().toString(36).slice(2, 8);
  const monthEnd = `month-end-${run}`;
  let ctx: TestContext;
  let service: TestService;
  let pools: GrpcTestClient;
  let owner: string;
  let viewer: string;
  let restorePlanningTopic = (): void => undefined;

  const call = <T>(method: string, request: unknown, token = owner) =>
    callUnary<T>(pools, method, request, token);
  /** The error of a call as the owner, or undefined when it succeeded. */
  const outcome = (method: string, request: unknown, correlationId = randomUUID()) =>
    errorOf(callUnary(pools, method, request, owner, correlationId));
  const eventsOf = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);
  const rest = (method: string, path: string, body?: unknown, token = owner) =>
    fetch(`${service.httpUrl}/api/scheduling/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-correlation-id': randomUUID(),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  beforeAll(async () => {
    ctx = await createTestContext('sched_pools');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService({ ...schedulingService, clock }, ctx);
    pools = service.client(POOL_GRPC_SERVICE);
    owner = await service.token('release-manager');
    viewer = await service.token('viewer');
    await callUnary(
      service.client(CALENDAR_GRPC_SERVICE),
      'DefineCalendarEntry',
      {
        definition: {
          id: monthEnd,
          kind: 'holiday',
          name: 'Month-end close',
          zone: 'UTC',
          start: '2031-01-31T00:00',
          duration: 'P1D',
          recurrence: { rule: 'FREQ=MONTHLY;BYMONTHDAY=-1' },
        },
      },
      owner,
    );
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('defines a pool with a month-end reservation over gRPC; lists it with its reservation active now', async () => {
    const put = await call<{
      pool: { reservedNow: number; pool: { key: string } };
      changed: boolean;
    }>('PutPool', {
      pool: {
        key: 'db:payments',
        slots: 2,
        highLoadReservations: [{ calendarEntryId: monthEnd, criticalSlots: 1 }],
      },
      reason: 'shared payments database',
    });
    expect(put.changed).toBe(true);
    expect(put.pool.reservedNow).toBe(1);
    const again = await call<{ changed: boolean }>('PutPool', {
      pool: {
        key: 'db:payments',
        slots: 2,
        highLoadReservations: [{ calendarEntryId: monthEnd, criticalSlots: 1 }],
      },
    });
    expect(again.changed).toBe(false);
    const listed = await call<{ pools: { pool: { key: string; slots: number }; held: number }[] }>(
      'ListPools',
      {},
      viewer,
    );
    expect(listed.pools).toEqual([
      expect.objectContaining({
        pool: expect.objectContaining({ key: 'db:payments', slots: 2 }),
        held: 0,
      }),
    ]);
    const { rows } = await ctx.pool.query<{ type: string }>(
      `SELECT event_type AS type FROM events WHERE stream_id = 'job-pool-db:payments'`,
    );
    expect(rows.map((r) => r.type)).toEqual(['JobPoolPut']);
  });

  it('sets a team weight over gRPC and REST; fairness shows weights and the month-end period', async () => {
    const set = await call<{ team: { team: string; weight: number }; changed: boolean }>(
      'PutTeamWeight',
      { team: 'payments', weight: 3, reason: 'month-end owner' },
    );
    expect(set.team).toMatchObject({ team: 'payments', weight: 3 });
    const response = await rest('PUT', 'fairness/teams/search', { weight: 0.5 });
    expect(response.status).toBe(200);
    const fairness = (await (await rest('GET', 'fairness', undefined, viewer)).json()) as {
      teams: { team: string; weight: number }[];
      defaultWeight: number;
      highLoadPeriods: { calendarEntryId: string; name: string }[];
    };
    expect(fairness.teams).toEqual([
      expect.objectContaining({ team: 'payments', weight: 3 }),
      expect.objectContaining({ team: 'search', weight: 0.5 }),
    ]);
    expect(fairness.defaultWeight).toBe(1);
    expect(fairness.highLoadPeriods).toEqual([
      expect.objectContaining({ calendarEntryId: monthEnd, name: 'Month-end close' }),
    ]);
    const grpc = await call<{ highLoadPeriods: { start: string }[] }>('GetFairness', {}, viewer);
    expect(grpc.highLoadPeriods[0]?.start).toBe('2031-05-31T00:00:00Z');
  });

  it('the fair-share policy the runtime uses keeps the month-end slot for critical work and follows the weights', async () => {
    const policy = new RefreshingFairSharePolicy(
      service.running.app.get(PoolQueries),
      service.running.app.get(PgPoolSlots),
      () => Date.parse(clock.now()),
    );
    await policy.refresh();
    const candidate = (team: string, n: number, criticality: 'low' | 'critical' = 'low') => ({
      taskRunId: `${team}-${n}`,
      runId: `${team}-run-${n}`,
      job: `${team}.ledger.close`,
      team,
      priority: 50,
      criticality,
      pools: [{ pool: 'db:payments', slots: 1 }],
      readySince: `2031-05-31T11:00:0${n}.000Z`,
    });
    const load = { runningByTeam: {}, freePoolSlots: {}, capacity: 10, now: clock.now() };
    // db:payments has 2 free slots, 1 reserved for critical work at month-end.
    const normal = policy.choose(
      [candidate('ops', 1), candidate('ops', 2), candidate('ops', 3)],
      load,
    );
    expect(normal).toHaveLength(1);
    const mixed = policy.choose(
      [candidate('ops', 1), candidate('ops', 2), candidate('payments', 4, 'critical')],
      load,
    );
    expect(mixed.map((c) => c.taskRunId).sort()).toEqual(['ops-1', 'payments-4']);
    // Weights 3 (payments) to 0.5 (search), no pools: 6 of 7 starts go to payments.
    const unpooled = (team: string, n: number) => ({
      ...candidate(team, n % 10),
      taskRunId: `${team}-u${n}`,
      pools: [],
    });
    const chosen = policy.choose(
      [
        ...Array.from({ length: 10 }, (_, i) => unpooled('payments', i)),
        ...Array.from({ length: 10 }, (_, i) => unpooled('search', i)),
      ],
      { ...load, capacity: 7 },
    );
    expect(chosen.filter((c) => c.team === 'payments')).toHaveLength(6);
  });

  it('REST: puts and lists a pool; a viewer may not change one', async () => {
    const put = await rest('PUT', `pools/${encodeURIComponent('queue:exports')}`, { slots: 4 });
    expect(put.status).toBe(200);
    const list = (await (await rest('GET', 'pools', undefined, viewer)).json()) as {
      items: { key: string; utilisation: number }[];
    };
    expect(list.items.map((p) => p.key)).toEqual(['db:payments', 'queue:exports']);
    expect((await rest('PUT', 'pools/queue:exports', { slots: 1 }, viewer)).status).toBe(403);
  });

  it.each([
    ['a malformed key', { pool: { key: 'DB payments', slots: 1 } }, 'pool.key'],
    ['negative slots', { pool: { key: 'db:x', slots: -1 } }, 'pool.slots'],
    [
      'a reservation of an unknown entry',
      {
        pool: {
          key: 'db:x',
          slots: 2,
          highLoadReservations: [{ calendarEntryId: 'nope', criticalSlots: 1 }],
        },
      },
      'pool.high_load_reservations[0].calendar_entry_id',
    ],
    [
      'more reserved than slots',
      {
        pool: {
          key: 'db:x',
          slots: 1,
          highLoadReservations: [{ calendarEntryId: monthEnd, criticalSlots: 2 }],
        },
      },
      'pool.high_load_reservations[0].critical_slots',
    ],
  ])(
    'gRPC PutPool refuses %s with INVALID_ARGUMENT naming the field',
    async (_name, request, field) => {
      const correlationId = randomUUID();
      const error = await outcome('PutPool', request, correlationId);
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.metadata.get('trainyard-field')).toEqual([field]);
      expect(await eventsOf(correlationId)).toBe(0);
    },
  );

  it('REST refuses bad fields with 400 naming them', async () => {
    const bad = await rest('PUT', 'pools/db:y', { slots: 'two' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'slots' });
    const weight = await rest('PUT', 'fairness/teams/payments', { weight: 0 });
    expect(weight.status).toBe(400);
    expect(await weight.json()).toMatchObject({ field: 'weight' });
    const team = await rest('PUT', 'fairness/teams/Not%20A%20Team', { weight: 1 });
    expect(await team.json()).toMatchObject({ status: 400, field: 'team' });
  });

  it.each(['PutPool', 'PutTeamWeight', 'ListPools', 'GetFairness'])(
    'gRPC %s: generated hostile requests are never a server fault, and a refusal writes nothing',
    async (method) => {
      const type = root.lookupService(POOL_GRPC_SERVICE).methods[method]?.resolvedRequestType;
      if (!type) throw new Error(`no ${method}`);
      await expect(
        fc.assert(
          fc.asyncProperty(hostileMessage(type, KNOWN), async (request) => {
            const correlationId = randomUUID();
            const error = await outcome(method, request, correlationId);
            if (error === undefined) return true;
            if (
              error.code === status.INTERNAL &&
              error.details.startsWith('Request message serialization failure')
            )
              return true;
            if (SERVER_FAULTS.has(error.code))
              throw new Error(`${method} answered ${status[error.code]} (${error.details})`);
            if (
              error.code === status.INVALID_ARGUMENT &&
              error.metadata.get('trainyard-field').length !== 1
            )
              throw new Error(
                `${method} answered INVALID_ARGUMENT naming no field: ${error.details}`,
              );
            const written = await eventsOf(correlationId);
            if (written > 0)
              throw new Error(
                `${method} refused (${status[error.code]}: ${error.details}) yet wrote ${written} events`,
              );
            return true;
          }),
          // The shared generator also sends wrong-typed fields, some the client cannot serialise.
          { numRuns: 60 },
        ),
      ).resolves.toBeUndefined();
    },
  );

  it('REST: generated hostile bodies answer 200 or a 4xx naming the field, never a 5xx', async () => {
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        {
          slots: hostileNumber,
          highLoadReservations: fc.oneof(
            fc.anything(),
            fc.array(fc.record({ calendarEntryId: hostileString, criticalSlots: hostileNumber }), {
              maxLength: 3,
            }),
          ),
          description: fc.oneof(hostileString, fc.anything()),
          reason: fc.oneof(hostileString, fc.anything()),
          weight: hostileNumber,
        },
        { requiredKeys: [] },
      ),
    );
    const path = fc.constantFrom(
      'pools/db:z',
      'pools/%00',
      'pools/BAD%20KEY',
      'fairness/teams/ops',
      'fairness/teams/%FF',
    );
    await expect(
      fc.assert(
        fc.asyncProperty(path, body, async (p, b) => {
          const response = await rest('PUT', p, JSON.stringify(b) ?? 'null');
          const answer = (await response.json().catch(() => ({}))) as { field?: string };
          if (response.status >= 500) throw new Error(`PUT ${p} answered ${response.status}`);
          // A bare scalar body is refused by the platform's strict JSON parser before any field.
          // Likewise a path Express cannot percent-decode.
          const decodable = (() => {
            try {
              decodeURIComponent(p);
              return true;
            } catch {
              return false;
            }
          })();
          const parsed = typeof b === 'object' && b !== null && decodable;
          if (parsed && response.status === 400 && typeof answer.field !== 'string')
            throw new Error(`PUT ${p} answered 400 naming no field: ${JSON.stringify(answer)}`);
          return response.status === 200 || (response.status >= 400 && response.status < 500);
        }),
        { numRuns: 60 },
      ),
    ).resolves.toBeUndefined();
  });
});
