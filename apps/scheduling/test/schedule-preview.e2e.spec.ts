import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import {
  callUnary,
  createTestContext,
  fieldViolationsOf,
  refusal,
  startTestService,
  trailer,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { SCHEDULING_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/** Percent-encoded; a lone surrogate as the bytes a hostile client would send for it. */
const urlEncoded = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

const SERVER_FAULTS = new Set<number>([status.INTERNAL, status.UNKNOWN, status.DATA_LOSS]);

// New York, spring forward on 10 March 2024: 02:30 EST (-05:00) = 07:30Z = 03:30 EDT.
const NEW_YORK = {
  cron: '30 2 * * *',
  zone: 'America/New_York',
  from: '2024-03-09',
  to: '2024-03-11',
};
const NEW_YORK_INSTANTS = ['2024-03-09T07:30:00Z', '2024-03-10T07:30:00Z', '2024-03-11T06:30:00Z'];

describe('schedule preview over REST and gRPC', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let viewer: string;

  const get = (query: Record<string, string> | string, token = viewer) =>
    fetch(
      `${service.httpUrl}/api/scheduling/preview?${typeof query === 'string' ? query : new URLSearchParams(query).toString()}`,
      { headers: token ? { authorization: `Bearer ${token}` } : {} },
    );
  const preview = (request: Record<string, string>, token = viewer) =>
    callUnary<{ instants: string[]; gap: string; overlap: string }>(
      client,
      'PreviewSchedule',
      request,
      token,
    );
  const refused = (request: Record<string, string>) => refusal(preview(request));

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    ctx = await createTestContext('scheduling_preview');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService(schedulingService, ctx);
    client = service.client(SCHEDULING_GRPC_SERVICE);
    viewer = await service.token('viewer');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('REST answers the instants in UTC with the policies applied', async () => {
    const response = await get(NEW_YORK);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      instants: NEW_YORK_INSTANTS,
      gap: 'shift',
      overlap: 'first',
    });
    const skipped = await get({ ...NEW_YORK, gap: 'skip', overlap: 'both' });
    expect(await skipped.json()).toEqual({
      instants: ['2024-03-09T07:30:00Z', '2024-03-11T06:30:00Z'],
      gap: 'skip',
      overlap: 'both',
    });
  });

  it('REST refuses bad input with a 400 problem naming the field, and a call without a token', async () => {
    for (const [query, field] of [
      [{ ...NEW_YORK, zone: 'Mars/Olympus_Mons' }, 'zone'],
      [{ ...NEW_YORK, cron: '61 * * * *' }, 'cron'],
      [{ ...NEW_YORK, to: '2024-03-01' }, 'to'],
      [{ ...NEW_YORK, overlap: 'sometimes' }, 'overlap'],
      [{ ...NEW_YORK, cron: '* * * * *', from: '2024-01-01', to: '2024-12-31' }, 'to'],
    ] as const) {
      const response = await get(query);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({
        type: 'https://trainyard.dev/problems/validation-error',
        status: 400,
        field,
        instance: '/api/scheduling/preview',
      });
    }
    const several = await get({
      ...NEW_YORK,
      zone: 'Mars/Olympus_Mons',
      cron: '61 * * * *',
      gap: 'jump',
    });
    expect(several.status).toBe(400);
    expect(
      ((await several.json()) as { violations: { field: string }[] }).violations.map(
        (v) => v.field,
      ),
    ).toEqual(['cron', 'zone', 'gap']);
    const repeated = await get('cron=0+9+*+*+*&zone=UTC&zone=UTC&from=2024-01-01&to=2024-01-02');
    expect(await repeated.json()).toMatchObject({ status: 400, field: 'zone' });
    expect((await get(NEW_YORK, '')).status).toBe(401);
  });

  it('documents the route in the OpenAPI document, with its problem responses', async () => {
    const document = (await (
      await fetch(`${service.httpUrl}/api/scheduling/docs-json`)
    ).json()) as {
      paths: Record<
        string,
        { get?: { parameters: { name: string }[]; responses: Record<string, unknown> } }
      >;
    };
    const operation = document.paths['/api/scheduling/preview']?.get;
    expect(operation?.parameters.map((p) => p.name).sort()).toEqual([
      'cron',
      'from',
      'gap',
      'overlap',
      'to',
      'zone',
    ]);
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403']),
    );
  });

  it('gRPC PreviewSchedule answers the same, and INVALID_ARGUMENT naming the field', async () => {
    expect(await preview(NEW_YORK)).toEqual({
      instants: NEW_YORK_INSTANTS,
      gap: 'shift',
      overlap: 'first',
    });
    // An hourly schedule on Berlin's fall-back day: 25 instants, overlap defaults to both.
    const hourly = await preview({
      cron: '0 * * * *',
      zone: 'Europe/Berlin',
      from: '2024-10-27',
      to: '2024-10-27',
    });
    expect(hourly.instants).toHaveLength(25);
    expect(hourly.overlap).toBe('both');
    for (const [request, field] of [
      [{ ...NEW_YORK, zone: 'Europe/Atlantis' }, 'zone'],
      [{ ...NEW_YORK, cron: '0 9 * *' }, 'cron'],
      [{ ...NEW_YORK, from: '2024-13-01' }, 'from'],
      [{ ...NEW_YORK, gap: 'jump' }, 'gap'],
    ] as const) {
      const error = await refused(request);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(trailer(error, 'trainyard-field')).toBe(field);
    }
    const several = await refused({ ...NEW_YORK, zone: 'Europe/Atlantis', from: '2024-13-01' });
    expect(several.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(several).map((v) => v.field)).toEqual(['zone', 'from']);
    await expect(preview(NEW_YORK, '')).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('hostile input stays a client error on both transports (generated)', async () => {
    const hostile = fc.oneof(
      fc.constantFrom(
        '\u0000',
        '\uD800',
        'x'.repeat(5_000),
        '',
        ' ',
        '* * * * *',
        '0 0 31 2 *',
        '0001-01-01',
        '9999-12-31',
        '2024-03-10T02:30:00-05:00',
        'UTC',
        'Pacific/Apia',
        'both',
        'skip',
      ),
      fc.string({ maxLength: 30 }),
    );
    const request = fc.record(
      {
        cron: hostile,
        zone: hostile,
        from: hostile,
        to: hostile,
        gap: hostile,
        overlap: hostile,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const answer = await preview(r).catch((error: ServiceError) => error);
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
