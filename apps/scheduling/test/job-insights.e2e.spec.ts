import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Root } from 'protobufjs';
import { PROTO_INCLUDE_DIR } from '@trainyard/grpc-contracts';
import type { EventStore } from '@trainyard/event-store';
import { EVENT_STORE } from '@trainyard/platform';
import { jobRunSlaStream, type JobRunEvent } from '@trainyard/scheduling-domain';
import {
  insightManifest,
  manifestApplied,
  runHistory,
} from '@trainyard/scheduling-read-models/testing';
import {
  callUnary,
  createTestContext,
  errorOf,
  startTestService,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { JOB_INSIGHT_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/**
 * The job insights through a started scheduling service: job-run events appended to the
 * service's own event store (as the runtime will) drive the read model; gRPC and REST answer
 * from it to read roles only; the SLA watch running in the service records a miss; hostile query
 * parameters are refused naming the field (400 / INVALID_ARGUMENT), never a server fault.
 */
const MIN = 60_000;
const suffix = randomBytes(3).toString('hex');
const JOB = `finance.ledger${suffix}.close`;
const LATE_JOB = `finance.late${suffix}.close`;
const base = Math.floor(Date.now() / MIN) * MIN - 3 * 24 * 60 * MIN;
const at = (offsetMin: number) => new Date(base + offsetMin * MIN).toISOString();

describe('job insights e2e (gRPC JobInsightService and REST /api/scheduling/job-insights)', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let store: EventStore;
  let auditor: string;
  let restore = (): void => undefined;

  const append = (streamId: string, events: readonly { type: string; data: unknown }[]) =>
    store.append(
      streamId,
      events.map((e) => ({
        type: e.type,
        data: e.data,
        metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'job-runtime' },
      })),
      'any',
    );
  const appendRun = (events: readonly JobRunEvent[]) =>
    append(`job-run-${events[0]!.data.runId}`, events);

  const call = <T>(method: string, request: unknown, token?: string) =>
    callUnary<T>(client, method, request, token);
  /** The code and named field of a refusal, or undefined when the call succeeded. */
  const refusalOf = async (promise: Promise<unknown>) => {
    const error = await errorOf(promise);
    return error && { code: error.code, field: trailer(error, 'trainyard-field') ?? '' };
  };
  const get = (path: string, token = auditor) =>
    fetch(`${service.httpUrl}/api/scheduling/job-insights${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    ctx = await createTestContext('sched_job_insights_e2e');
    restore = await isolatePlanningTopic(ctx);
    // The module reads its job-insight settings from the process environment (as iCalendar's).
    process.env.JOB_SLA_WATCH_INTERVAL_MS = '200';
    process.env.JOB_KNOWN_TEAMS = 'finance';
    service = await startTestService(schedulingService, ctx);
    client = service.client(JOB_INSIGHT_GRPC_SERVICE);
    store = service.running.app.get<EventStore>(EVENT_STORE);
    auditor = await service.token('auditor');
    await append(`job-definition-${JOB}`, [
      manifestApplied(insightManifest({ name: JOB }), 1, at(-10 * 24 * 60)),
    ]);
    for (const [i, payroll] of [40, 43, 46].entries())
      await appendRun(
        runHistory({
          job: JOB,
          runId: `${JOB}-r${i}`,
          nominalTime: at(i * 24 * 60),
          tasks: [
            ['extract', 1, 10],
            ['ledger', 11, 20],
            ['payroll', 11, payroll],
            ['report', 11 + payroll, 5],
          ],
          retried: i === 0 ? ['extract'] : [],
        }),
      );
    // A run two hours old with a one-hour SLA that never finished: the SLA watch records the miss.
    await append(`job-definition-${LATE_JOB}`, [
      manifestApplied(insightManifest({ name: LATE_JOB }), 1, at(-10 * 24 * 60)),
    ]);
    const lateNominal = new Date(Math.floor(Date.now() / MIN) * MIN - 120 * MIN).toISOString();
    await appendRun(
      runHistory({
        job: LATE_JOB,
        runId: `${LATE_JOB}-late`,
        nominalTime: lateNominal,
        tasks: [['extract', 1, 10]],
        unfinished: true,
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    delete process.env.JOB_SLA_WATCH_INTERVAL_MS;
    delete process.env.JOB_KNOWN_TEAMS;
    restore();
    await ctx?.dispose();
  });

  it('GetJobStats over gRPC for an auditor: p50/p95 of the stored durations', async () => {
    const response = await waitFor(
      async () => {
        const r = await call<{ stats: { succeeded: number } & Record<string, unknown> }>(
          'GetJobStats',
          { job: JOB },
          auditor,
        ).catch(() => undefined);
        return r && r.stats.succeeded === 3 ? r : undefined;
      },
      { timeoutMs: 60_000, description: 'the insight read model to fold the runs' },
    );
    expect(response.stats).toMatchObject({
      job: JOB,
      owner: 'finance',
      runs: 3,
      failed: 0,
      failureRate: 0,
      durationP50Ms: 58 * MIN,
      durationP95Ms: 61 * MIN,
    });
  });

  it('GetRunTimeline returns the run and its tasks as a tree with attempts', async () => {
    const response = await call<{
      run: { state: string };
      tasks: { taskId: string; depth: number; attempts: number; children: string[] }[];
    }>('GetRunTimeline', { runId: `${JOB}-r0` }, auditor);
    expect(response.run.state).toBe('succeeded');
    expect(response.tasks.map((t) => [t.taskId, t.depth, t.attempts])).toEqual([
      ['extract', 0, 2],
      ['ledger', 1, 1],
      ['payroll', 1, 1],
      ['report', 2, 1],
    ]);
  });

  it('the SLA watch in the service records the unfinished run as missed, once', async () => {
    const events = await waitFor(
      async () => {
        const stream = await store.readStream(jobRunSlaStream(`${LATE_JOB}-late`));
        return stream.length > 0 ? stream : undefined;
      },
      { timeoutMs: 60_000, description: 'JobSlaMissed from the SLA watch' },
    );
    expect(events.map((e) => e.type)).toEqual(['JobSlaMissed']);
    const stats = await waitFor(async () => {
      const r = await call<{ stats: { slaMisses: number } }>(
        'GetJobStats',
        { job: LATE_JOB },
        auditor,
      );
      return r.stats.slaMisses === 1 ? r.stats : undefined;
    });
    expect(stats.slaMisses).toBe(1);
    // Further sweeps add nothing.
    const queues = await call<{ teams: { team: string }[] }>('GetTeamQueues', {}, auditor);
    expect(queues.teams.map((t) => t.team)).toContain('finance');
    expect((await store.readStream(jobRunSlaStream(`${LATE_JOB}-late`))).length).toBe(1);
  });

  it('REST answers the same read models with OpenAPI-described routes', async () => {
    const stats = await get(`/jobs/${encodeURIComponent(JOB)}?sinceDays=30`);
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ job: JOB, succeeded: 3 });
    const list = await get('/jobs?team=finance&pageSize=10');
    expect(((await list.json()) as { items: { job: string }[] }).items.map((i) => i.job)).toEqual(
      expect.arrayContaining([JOB, LATE_JOB]),
    );
    const timeline = await get(`/runs/${encodeURIComponent(`${JOB}-r1`)}/timeline`);
    expect(((await timeline.json()) as { tasks: unknown[] }).tasks).toHaveLength(4);
    expect((await get('/zombies')).status).toBe(200);
    expect((await get('/pools')).status).toBe(200);
    expect((await get('/runs/unknown-run/timeline')).status).toBe(404);
    const docs = (await (await fetch(`${service.httpUrl}/api/scheduling/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining([
        '/api/scheduling/job-insights/jobs/{job}',
        '/api/scheduling/job-insights/runs/{runId}/timeline',
      ]),
    );
  });

  it('only read roles: no token is 401, a token without scheduling:read is 403 / PERMISSION_DENIED', async () => {
    const none = await fetch(`${service.httpUrl}/api/scheduling/job-insights/zombies`);
    expect(none.status).toBe(401);
    const nobody = await service.token('no-such-role');
    expect((await get('/zombies', nobody)).status).toBe(403);
    expect(await refusalOf(call('ListZombies', {}, nobody))).toMatchObject({
      code: status.PERMISSION_DENIED,
    });
  });

  it('refuses bad parameters naming the field: 400 over REST, INVALID_ARGUMENT over gRPC', async () => {
    for (const [path, field] of [
      ['/jobs?sinceDays=abc', 'sinceDays'],
      ['/jobs?sinceDays=0', 'sinceDays'],
      ['/jobs?pageSize=201', 'pageSize'],
      ['/jobs?team=A%20B', 'team'],
      ['/jobs?team=a&team=b', 'team'],
      ['/jobs/not-a-job', 'job'],
      ['/zombies?days=99999', 'days'],
      ['/teams?sinceDays=-1', 'sinceDays'],
      [`/runs/${'x'.repeat(400)}/timeline`, 'runId'],
    ] as const) {
      const response = await get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(await response.json()).toMatchObject({ field });
    }
    for (const [method, request, field] of [
      ['GetJobStats', { job: 'nope' }, 'job'],
      ['GetJobStats', { job: JOB, sinceDays: -1 }, 'since_days'],
      ['ListJobStats', { pageSize: 1000 }, 'page_size'],
      ['ListZombies', { days: 5000 }, 'days'],
      ['GetRunTimeline', { runId: 'a b' }, 'run_id'],
      ['GetTeamQueues', { team: '../etc' }, 'team'],
    ] as const)
      expect(await refusalOf(call(method, request, auditor))).toEqual({
        code: status.INVALID_ARGUMENT,
        field,
      });
  });

  it('generated hostile query parameters are a client error naming a field, never a server fault', async () => {
    const routes = ['/jobs', '/teams', '/zombies', '/pools'];
    const params = ['team', 'sinceDays', 'page', 'pageSize', 'days'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom(...params),
        fc.oneof(
          fc.constantFrom('%00', '%FF', '-1', 'NaN', '1e9', '0x10', ' 1', 'x'.repeat(5000), '1.5'),
          fc.string({ maxLength: 20 }).map(encodeURIComponent),
        ),
        async (route, param, value) => {
          const response = await get(`${route}?${param}=${value}`);
          const body = (await response.json()) as { field?: string };
          // 200, or 400 naming the parameter given (only it can be wrong here).
          const verdict = response.status === 400 ? `400 ${body.field}` : String(response.status);
          expect(
            [200, 400].includes(response.status)
              ? verdict
              : `${route}?${param}=${value} → ${verdict}`,
          ).toMatch(new RegExp(`^(200|400 ${param})$`));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('generated hostile gRPC requests to every method: never a server fault; INVALID_ARGUMENT names a field of the request', async () => {
    const root = new Root();
    root.resolvePath = (_origin, target) => join(PROTO_INCLUDE_DIR, target);
    root.loadSync('trainyard/scheduling/v1/job_insights.proto');
    root.resolveAll();
    const text = fc.oneof(
      fc.constantFrom(
        '\u0000',
        'a\u0000b',
        '\uD800',
        'x'.repeat(20_000),
        '',
        ' ',
        JOB,
        `${JOB}-r1`,
      ),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    const int = fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 1, 3650, 3651, 2 ** 31 - 1));
    for (const method of root.lookupService(JOB_INSIGHT_GRPC_SERVICE).methodsArray) {
      const type = root.lookupType(method.requestType);
      const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const fields = type.fieldsArray.map((f) => snake(f.name));
      await fc.assert(
        fc.asyncProperty(
          fc.record(
            Object.fromEntries(
              type.fieldsArray.map((f) => [f.name, f.type === 'string' ? text : int]),
            ),
            { requiredKeys: [] },
          ),
          async (request) => {
            const outcome = await refusalOf(call(method.name, request, auditor));
            const verdict =
              outcome === undefined || outcome.code === status.NOT_FOUND
                ? 'answered'
                : outcome.code === status.INVALID_ARGUMENT && fields.includes(outcome.field)
                  ? 'refused naming a field'
                  : `${method.name} ${JSON.stringify(request).slice(0, 200)} → ${status[outcome.code]} ${outcome.field}`;
            expect(['answered', 'refused naming a field']).toContain(verdict);
          },
        ),
        { numRuns: 25 },
      );
    }
  });
});
