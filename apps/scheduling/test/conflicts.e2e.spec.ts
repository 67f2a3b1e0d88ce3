import { Global, Module } from '@nestjs/common';
import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { openApiController, type ServiceDefinition } from '@trainyard/platform';
import type { PlacementContext } from '@trainyard/scheduling-domain';
import {
  callUnary,
  createTestContext,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { ConflictQueries } from '../src/application/conflicts.queries';
import {
  PLACEMENT_INPUTS,
  type PlacementInputsPort,
} from '../src/application/placement-inputs.port';
import { ConflictsGrpcController } from '../src/grpc/conflicts.grpc-controller';
import { ConflictsHttpController } from '../src/http/conflicts.http-controller';
import { CONFLICT_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

// The conflicts transports over a calendar given as data: the PlacementInputs port is the
// deployment-plan side's (helper "dur"); here an in-memory one stands in for it, so this spec
// tests the query, its validation and both transports, not the read side.
const H = 3_600_000;
const MON = Date.UTC(2024, 5, 3);
const CALENDAR: PlacementContext = {
  deploymentWindows: [{ id: 'weekday-window', scope: {}, start: MON, end: MON + 3 * H }],
  componentParents: { api: 'platform' },
  freezes: [
    { id: 'quarter-end', scope: { environments: ['prod'] }, start: MON + 3 * H, end: MON + 5 * H },
  ],
  maintenanceWindows: [
    { id: 'platform-mw', scope: { components: ['platform'] }, start: MON, end: MON + 3 * H },
  ],
  scheduled: [{ id: 'dep-parent', components: ['platform'], start: MON + H, end: MON + 2.5 * H }],
  jobs: [{ id: 'nightly-etl', components: ['api'], start: MON + 3 * H, end: MON + 6 * H }],
  ownerBookings: [{ id: 'offsite', owner: 'ada', start: MON + 2 * H, end: MON + 2.25 * H }],
};
const asked: { from: number; to: number }[] = [];
const inMemoryInputs: PlacementInputsPort = {
  assemble: (range) => {
    asked.push(range);
    return Promise.resolve(CALENDAR);
  },
};

@Global()
@Module({
  providers: [{ provide: PLACEMENT_INPUTS, useValue: inMemoryInputs }],
  exports: [PLACEMENT_INPUTS],
})
class InMemoryInputsModule {}

@Module({
  imports: [InMemoryInputsModule],
  controllers: [
    ConflictsGrpcController,
    ConflictsHttpController,
    openApiController({ service: 'scheduling', title: 'conflicts', description: 'conflicts' }),
  ],
  providers: [ConflictQueries],
})
class ConflictsOnlyModule {}

const definition: ServiceDefinition = {
  ...schedulingService,
  module: ConflictsOnlyModule,
  grpcServices: [CONFLICT_GRPC_SERVICE],
};

const QUERY = {
  components: 'api',
  from: '2024-06-03T02:00:00Z',
  to: '2024-06-03T04:00:00Z',
  train: 'payments',
  team: 'core',
  environment: 'prod',
  owner: 'ada',
};
const RULES = [
  'outside-deployment-window',
  'freeze',
  'maintenance',
  'component-overlap',
  'job-reservation',
  'owner-booked',
];
const SERVER_FAULTS = new Set<number>([status.INTERNAL, status.UNKNOWN, status.DATA_LOSS]);

const urlEncoded = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

describe('conflicts over REST and gRPC', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let viewer: string;

  const get = (query: Record<string, string> | string, token = viewer) =>
    fetch(
      `${service.httpUrl}/api/scheduling/conflicts?${typeof query === 'string' ? query : new URLSearchParams(query).toString()}`,
      { headers: token ? { authorization: `Bearer ${token}` } : {} },
    );
  const list = (request: Record<string, unknown>, token = viewer) =>
    callUnary<{
      items: { rule: string; start: string; end: string; party: Record<string, string> }[];
      page: number;
      pageSize: number;
      total: number;
    }>(client, 'ListConflicts', request, token);

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    ctx = await createTestContext('scheduling_conflicts');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService(definition, ctx);
    client = service.client(CONFLICT_GRPC_SERVICE);
    viewer = await service.token('viewer');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('REST lists every conflict with its rule and party, paginated', async () => {
    const response = await get(QUERY);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      items: { rule: string; party: { kind: string } }[];
      total: number;
    };
    expect(body).toMatchObject({ page: 1, pageSize: 50, total: 6 });
    expect(body.items.map((c) => c.rule)).toEqual(RULES);
    expect(body.items[1]).toEqual({
      rule: 'freeze',
      start: '2024-06-03T03:00:00Z',
      end: '2024-06-03T04:00:00Z',
      party: { kind: 'freeze', id: 'quarter-end' },
    });
    expect(asked.at(-1)).toEqual({ from: MON + 2 * H, to: MON + 4 * H });
    const second = (await (await get({ ...QUERY, page: '2', pageSize: '4' })).json()) as {
      items: { rule: string }[];
    };
    expect(second).toMatchObject({ page: 2, pageSize: 4, total: 6 });
    expect(second.items.map((c) => c.rule)).toEqual(['job-reservation', 'owner-booked']);
  });

  it('REST: a proposal that fits has no conflicts', async () => {
    const body = (await (
      await get({ ...QUERY, from: '2024-06-03T00:00:00Z', to: '2024-06-03T01:00:00Z' })
    ).json()) as { total: number };
    expect(body).toMatchObject({ items: [], total: 0 });
  });

  it('REST refuses bad input with a 400 problem naming the field, and a call without a token', async () => {
    for (const [query, field] of [
      [{ ...QUERY, from: 'yesterday' }, 'from'],
      [{ ...QUERY, to: '2024-06-03T01:00:00Z' }, 'to'],
      [{ ...QUERY, to: '2025-06-05T00:00:00Z' }, 'to'],
      [{ ...QUERY, components: '' }, 'components'],
      [{ ...QUERY, train: '' }, 'train'],
      [{ ...QUERY, pageSize: '500' }, 'pageSize'],
      [{ ...QUERY, page: '0' }, 'page'],
    ] as const) {
      const response = await get(query);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        status: 400,
        field,
        instance: '/api/scheduling/conflicts',
      });
    }
    const repeated = await get(`${new URLSearchParams(QUERY).toString()}&team=edge`);
    expect(await repeated.json()).toMatchObject({ status: 400, field: 'team' });
    expect((await get(QUERY, '')).status).toBe(401);
  });

  it('documents the route in the OpenAPI document', async () => {
    const document = (await (
      await fetch(`${service.httpUrl}/api/scheduling/docs-json`)
    ).json()) as {
      paths: Record<
        string,
        { get?: { parameters: { name: string }[]; responses: Record<string, unknown> } }
      >;
    };
    const operation = document.paths['/api/scheduling/conflicts']?.get;
    expect(operation?.parameters.map((p) => p.name).sort()).toEqual(
      [
        'components',
        'environment',
        'from',
        'owner',
        'page',
        'pageSize',
        'team',
        'to',
        'train',
      ].sort(),
    );
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403']),
    );
  });

  it('gRPC ListConflicts answers the same, and INVALID_ARGUMENT naming the field', async () => {
    const answer = await list({ ...QUERY, components: ['api'] });
    expect(answer.total).toBe(6);
    expect(answer.items.map((c) => c.rule)).toEqual(RULES);
    expect(answer.items[3]?.party).toMatchObject({
      kind: 'deployment',
      id: 'dep-parent',
      component: 'platform',
    });
    const refused = (await list({ ...QUERY, components: ['api'], pageSize: 999 }).catch(
      (e: unknown) => e,
    )) as ServiceError;
    expect(refused.code).toBe(status.INVALID_ARGUMENT);
    expect(String(refused.metadata.get('trainyard-field')[0])).toBe('page_size');
    await expect(list({ ...QUERY, components: ['api'] }, '')).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
  });

  it('hostile input stays a client error on both transports (generated)', async () => {
    const hostile = fc.oneof(
      fc.constantFrom(
        '\u0000',
        '\uD800',
        'x'.repeat(5_000),
        '',
        ' ',
        ',',
        'api,,platform',
        '2024-06-03T02:00:00Z',
        '2024-06-03T02:00:00+14:00',
        '0000-01-01T00:00:00Z',
        '275760-09-13T00:00:00Z',
        '-1',
        '99999999999',
      ),
      fc.string({ maxLength: 30 }),
    );
    const request = fc.record(
      {
        components: hostile,
        from: hostile,
        to: hostile,
        train: hostile,
        team: hostile,
        environment: hostile,
        owner: hostile,
        page: hostile,
        pageSize: hostile,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const { components, page, pageSize, ...rest } = r;
        const answer = await list({
          ...rest,
          components: components === undefined ? [] : components.split(','),
          page: Number(page) | 0,
          pageSize: Number(pageSize) | 0,
        }).catch((error: ServiceError) => error);
        if ('code' in answer && SERVER_FAULTS.has(answer.code))
          throw new Error(`gRPC answered ${status[answer.code]} (${answer.details})`);
        const response = await get(
          Object.entries(r)
            .map(([k, v]) => `${k}=${urlEncoded(v)}`)
            .join('&'),
        );
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});
