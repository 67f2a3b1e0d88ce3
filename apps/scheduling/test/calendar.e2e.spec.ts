import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import {
  callUnary,
  createTestContext,
  fieldViolationsOf,
  refusal,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { CALENDAR_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

const SERVER_FAULTS = new Set<number>([status.INTERNAL, status.UNKNOWN, status.DATA_LOSS]);

interface Occurrence {
  start: string;
  end: string;
  localStart: string;
  localEnd: string;
  zone: string;
}

// A nightly deployment window in New York across the 2024 spring-forward (10 March 02:00 EST →
// 03:00 EDT): 02:30 is shifted to 03:30 EDT (07:30Z) and keeps its one wall-clock hour.
const nightly = (id: string) => ({
  id,
  kind: 'deployment-window',
  name: 'Nightly prod window',
  zone: 'America/New_York',
  start: '2024-03-09T02:30',
  duration: 'PT1H',
  recurrence: { rule: 'FREQ=DAILY;COUNT=3' },
  scope: { trains: ['main'], environments: ['prod'] },
});

describe('the calendar over gRPC and REST', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let owner: string;
  let viewer: string;
  const run = Math.random().toString(36).slice(2, 8);

  const call = <T>(method: string, request: unknown, token = owner) =>
    callUnary<T>(client, method, request, token);
  const refused = (method: string, request: unknown, token = owner) =>
    refusal(call(method, request, token));
  const get = (path: string, token = viewer) =>
    fetch(`${service.httpUrl}/api/scheduling/${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const eventCount = async () =>
    Number((await ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    ctx = await createTestContext('scheduling_calendar');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService(schedulingService, ctx);
    client = service.client(CALENDAR_GRPC_SERVICE);
    owner = await service.token('release-manager');
    viewer = await service.token('viewer');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('defines a window over gRPC and serves it and its occurrences over REST, DST exact', async () => {
    const id = `nightly-${run}`;
    const defined = await call<{ entry: { sequence: number }; changed: boolean }>(
      'DefineCalendarEntry',
      { definition: nightly(id), reason: 'release calendar' },
    );
    expect(defined).toMatchObject({ changed: true, entry: { sequence: 0 } });
    const again = await call<{ changed: boolean }>('DefineCalendarEntry', {
      definition: nightly(id),
    });
    expect(again.changed).toBe(false);

    const windows = await get(`windows?train=main&environment=prod`);
    expect(windows.status).toBe(200);
    const page = (await windows.json()) as { items: { entryId: string }[]; total: number };
    expect(page.items.map((i) => i.entryId)).toContain(id);
    expect(await (await get(`windows?environment=staging`)).json()).toMatchObject({
      total: 0,
    });

    const response = await get(
      `windows/${id}/occurrences?from=2024-03-01T00:00:00Z&to=2024-04-01T00:00:00Z`,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { occurrences: Occurrence[]; zone: string };
    expect(body.zone).toBe('America/New_York');
    expect(body.occurrences).toEqual([
      {
        start: '2024-03-09T07:30:00Z',
        end: '2024-03-09T08:30:00Z',
        localStart: '2024-03-09T02:30',
        localEnd: '2024-03-09T03:30',
        zone: 'America/New_York',
      },
      {
        start: '2024-03-10T07:30:00Z',
        end: '2024-03-10T08:30:00Z',
        localStart: '2024-03-10T02:30',
        localEnd: '2024-03-10T03:30',
        zone: 'America/New_York',
      },
      {
        start: '2024-03-11T06:30:00Z',
        end: '2024-03-11T07:30:00Z',
        localStart: '2024-03-11T02:30',
        localEnd: '2024-03-11T03:30',
        zone: 'America/New_York',
      },
    ]);
    const grpc = await call<{ occurrences: Occurrence[] }>(
      'ListOccurrences',
      { entryId: id, from: '2024-03-01T00:00:00Z', to: '2024-04-01T00:00:00Z' },
      viewer,
    );
    expect(grpc.occurrences.map((o) => o.start)).toEqual(body.occurrences.map((o) => o.start));
  });

  it('bumps the sequence on revision and retirement, and lists freezes, holidays and components', async () => {
    const holiday = `payments-holidays-${run}`;
    await call('DefineCalendarEntry', {
      definition: {
        id: holiday,
        kind: 'holiday',
        name: 'Payments team holidays',
        zone: 'Europe/Berlin',
        start: '2024-12-25T00:00',
        duration: 'P2D',
      },
    });
    const freeze = `freeze-${run}`;
    const definition = {
      id: freeze,
      kind: 'freeze',
      name: 'Year-end freeze',
      zone: 'Europe/Berlin',
      start: '2024-12-31T00:00',
      duration: 'P1D',
      holidayRefs: [holiday],
      scope: { teams: ['payments'] },
    };
    await call('DefineCalendarEntry', { definition });
    const revised = await call<{ entry: { sequence: number } }>('ReviseCalendarEntry', {
      definition: { ...definition, duration: 'P2D' },
    });
    expect(revised.entry.sequence).toBe(1);
    const occurrences = (await (
      await get(`windows/${freeze}/occurrences?from=2024-12-01&to=2025-01-31`)
    ).json()) as { occurrences: (Occurrence & { source?: string })[] };
    // 25 Dec 00:00 CET = 24 Dec 23:00Z for two days; 31 Dec 00:00 CET = 30 Dec 23:00Z.
    expect(occurrences.occurrences.map((o) => [o.start, o.end, o.source])).toEqual([
      ['2024-12-24T23:00:00Z', '2024-12-26T23:00:00Z', holiday],
      ['2024-12-30T23:00:00Z', '2025-01-01T23:00:00Z', undefined],
    ]);
    const freezes = (await (await get('freezes?team=payments')).json()) as {
      items: { entryId: string }[];
    };
    expect(freezes.items.map((i) => i.entryId)).toContain(freeze);
    const holidays = (await (await get('holidays')).json()) as { items: { entryId: string }[] };
    expect(holidays.items.map((i) => i.entryId)).toContain(holiday);

    const retired = await call<{ entry: { sequence: number; retired: boolean } }>(
      'RetireCalendarEntry',
      { entryId: freeze, reason: 'freeze lifted' },
    );
    expect(retired.entry).toMatchObject({ sequence: 2, retired: true });
    const listed = (await (await get('freezes?team=payments')).json()) as {
      items: { entryId: string }[];
    };
    expect(listed.items.map((i) => i.entryId)).not.toContain(freeze);

    await call('DeclareComponent', { componentId: `platform-${run}` });
    await call('DeclareComponent', { componentId: `db-${run}`, parentId: `platform-${run}` });
    const cycle = await refused('DeclareComponent', {
      componentId: `platform-${run}`,
      parentId: `db-${run}`,
    });
    expect(cycle.code).toBe(status.FAILED_PRECONDITION);
    const components = (await (await get('components?pageSize=200')).json()) as {
      items: { componentId: string; parentId: string | null }[];
    };
    expect(components.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ componentId: `db-${run}`, parentId: `platform-${run}` }),
      ]),
    );
  });

  it('refuses bad definitions with INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    const before = await eventCount();
    for (const [change, field] of [
      [{ zone: 'Mars/Olympus_Mons' }, 'zone'],
      [{ start: '2024-02-30T02:30' }, 'start'],
      [{ duration: 'PT0M' }, 'duration'],
      [{ recurrence: { rule: 'FREQ=SECONDLY' } }, 'recurrence.rule'],
      [{ kind: 'maintenance-window' }, 'scope.components'],
      [{ overlap: 'sometimes' }, 'overlap'],
    ] as const) {
      const error = await refused('DefineCalendarEntry', {
        definition: { ...nightly(`bad-${run}`), ...change },
      });
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.metadata.get('trainyard-field')[0]).toBe(field);
    }
    // Several independent problems: every one, each with its path, in one answer.
    const several = await refused('DefineCalendarEntry', {
      definition: {
        ...nightly(`bad-${run}`),
        kind: 'maintenance-window',
        zone: 'Mars/Olympus_Mons',
        duration: 'PT0M',
        recurrence: { rule: 'FREQ=SECONDLY', exceptions: ['tomorrow'] },
        overlap: 'sometimes',
        scope: { teams: ['ok', ''] },
      },
    });
    expect(several.code).toBe(status.INVALID_ARGUMENT);
    expect(several.metadata.get('trainyard-field')[0]).toBe('overlap');
    expect(fieldViolationsOf(several).map((v) => v.field)).toEqual([
      'overlap',
      'zone',
      'duration',
      'recurrence.rule',
      'recurrence.exceptions[0]',
      'scope.teams[1]',
      'scope.components',
    ]);
    expect(several.details).toMatch(/^7 fields are invalid: overlap: overlap must be one of/);
    const denied = await refused(
      'DefineCalendarEntry',
      { definition: nightly(`v-${run}`) },
      viewer,
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(await eventCount()).toBe(before);
  });

  it('REST refuses bad ranges with a 400 naming the field, an unknown entry with a 404', async () => {
    const id = `nightly-${run}`;
    for (const [query, field] of [
      ['from=yesterday&to=2024-04-01T00:00:00Z', 'from'],
      ['from=2024-04-01T00:00:00Z&to=2024-03-01T00:00:00Z', 'to'],
      ['from=2024-01-01&to=2024-01-02&from=2024-01-03', 'from'],
    ] as const) {
      const response = await get(`windows/${id}/occurrences?${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ status: 400, field });
    }
    const hourly = `hourly-${run}`;
    await call('DefineCalendarEntry', {
      definition: { ...nightly(hourly), recurrence: { rule: 'FREQ=HOURLY' } },
    });
    const huge = await get(`windows/${hourly}/occurrences?from=2024-01-01&to=2040-01-01`);
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ field: 'to' });
    expect(
      (await get(`windows/none-${run}/occurrences?from=2024-01-01&to=2024-01-02`)).status,
    ).toBe(404);
    expect((await get('windows?pageSize=1000')).status).toBe(400);
    expect((await get('windows?kind=freeze')).status).toBe(400);
    expect((await get('windows', '')).status).toBe(401);
  });

  it('answers hostile input without a server fault and without writing anything', async () => {
    const before = await eventCount();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          id: fc.string({ maxLength: 40, unit: 'binary' }),
          zone: fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin'), fc.string({ maxLength: 20 })),
          start: fc.oneof(fc.constant('2024-01-01T00:00'), fc.string({ maxLength: 20 })),
          duration: fc.oneof(fc.constant('PT1H'), fc.string({ maxLength: 12 })),
          rule: fc.oneof(fc.constant('FREQ=DAILY;BYDAY=XX'), fc.string({ maxLength: 40 })),
          kind: fc.constantFrom('freeze', 'holiday', 'nonsense', ''),
        }),
        async (d) => {
          const code = await call('DefineCalendarEntry', {
            definition: {
              id: `x${d.id}\u0000`,
              kind: d.kind,
              name: 'hostile',
              zone: d.zone,
              start: d.start,
              duration: d.duration,
              recurrence: { rule: d.rule },
            },
          }).then(
            () => undefined,
            (error: ServiceError) => error.code,
          );
          expect(code === undefined || !SERVER_FAULTS.has(code)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), async (a, b) => {
        const response = await get(
          `windows/${encodeURIComponent(`nightly-${run}`)}/occurrences?from=${encodeURIComponent(a)}&to=${encodeURIComponent(b)}`,
        );
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
    expect(await eventCount()).toBe(before);
  });
});
