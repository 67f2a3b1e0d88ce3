import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { SCHEDULING_EVENTS_TOPIC } from '@trainyard/scheduling-contracts';
import type { jobRuns } from '@trainyard/grpc-contracts';
import {
  callUnary,
  createTestContext,
  refusal,
  richStatus,
  startTestService,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import {
  JOB_DEFINITION_GRPC_SERVICE,
  JOB_RUN_GRPC_SERVICE,
  schedulingService,
} from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/**
 * The job runtime as part of the started scheduling service, end to end: a manifest applied (and
 * approved: it has prod parameters) over JobDefinitionService, a run triggered over JobRunService,
 * executed by the real HTTP executor against a loopback server (one task fails once with 503 and
 * succeeds on its retry, under the same idempotency key), the run tree with timings over REST,
 * and the job-run CloudEvents on trainyard.scheduling.events.v1 read by a plain kafkajs consumer.
 * Hostile input (generated) is refused naming the field, and nothing is written.
 */
const run = randomBytes(3).toString('hex');
const team = `wire${run}`;
const jobName = `${team}.ledger.close`;
/** A job whose downstream answers 503: its runs wait (scheduled) and fill its queue. */
const heldJob = `${team}.ledger.held`;
/** A job whose one task takes a while: in flight when the service stops. */
const slowJob = `${team}.ledger.slow`;

interface Call {
  readonly path: string;
  readonly key: string;
}

describe('job runs through the started scheduling service', () => {
  let ctx: TestContext;
  let service: TestService;
  let jobs: GrpcTestClient;
  let runs: GrpcTestClient;
  let server: Server;
  let consumer: Consumer | undefined;
  const calls: Call[] = [];
  const tokens: Record<string, string> = {};
  const received: { type: string; value: Record<string, unknown> }[] = [];
  const saved: Record<string, string | undefined> = {};
  let restorePlanningTopic = (): void => undefined;

  /** A call as `who`. */
  const call = <T>(client: GrpcTestClient, method: string, request: unknown, who: string) =>
    callUnary<T>(client, method, request, tokens[who]);
  const runCount = async () =>
    Number((await ctx.pool.query<{ n: string }>(`SELECT count(*) AS n FROM job_runs`)).rows[0]?.n);
  const rest = async (path: string, who: string, init: RequestInit = {}) => {
    const response = await fetch(`${service.httpUrl}/api/scheduling/${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${tokens[who] ?? ''}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    // The loopback system the HTTP tasks call: /flaky answers 503 the first time a task key asks.
    server = createServer((request, response) => {
      const key = String(request.headers['idempotency-key'] ?? '');
      const path = (request.url ?? '').split('?')[0] ?? '';
      const seen = calls.some((c) => c.path === path && c.key === key);
      calls.push({ path, key });
      response.setHeader('content-type', 'application/json');
      if (path.endsWith('/slow')) {
        setTimeout(() => response.end(JSON.stringify({ status: 'ok' })), 1_500);
        return;
      }
      if (path.endsWith('/busy')) {
        response.statusCode = 503;
        response.end(JSON.stringify({ status: 'busy' }));
        return;
      }
      if (path.endsWith('/flaky') && !seen) {
        response.statusCode = 503;
        response.end(JSON.stringify({ status: 'busy' }));
        return;
      }
      response.end(JSON.stringify({ status: 'ok' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    // The executors read their allowlist from the process environment when the module starts.
    saved.SCHEDULING_HTTP_ALLOWLIST = process.env.SCHEDULING_HTTP_ALLOWLIST;
    process.env.SCHEDULING_HTTP_ALLOWLIST = `http://127.0.0.1:${port}/${run}`;
    // Admission control: at most two runs of a job may wait to start.
    saved.SCHEDULING_MAX_QUEUED_RUNS_PER_JOB = process.env.SCHEDULING_MAX_QUEUED_RUNS_PER_JOB;
    process.env.SCHEDULING_MAX_QUEUED_RUNS_PER_JOB = '2';
    ctx = await createTestContext('sched_job_runs_e2e');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService(schedulingService, ctx, {
      SCHEDULING_JOB_WORKERS: '4',
      SCHEDULING_JOB_LEASE_MS: '5000',
      SCHEDULING_JOB_INSTANCE_ID: `e2e-${run}`,
    });
    jobs = service.client(JOB_DEFINITION_GRPC_SERVICE);
    runs = service.client(JOB_RUN_GRPC_SERVICE);
    tokens.engineer = await service.token('engineer');
    tokens.approver = await service.token('approver');
    tokens.operator = await service.token('operator');
    tokens.auditor = await service.token('auditor');
    tokens.viewer = await service.token('viewer');

    const kafka = new Kafka({
      clientId: `job-runs-e2e-${run}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await admin.listTopics()).includes(SCHEDULING_EVENTS_TOPIC), {
      description: `topic ${SCHEDULING_EVENTS_TOPIC}`,
      timeoutMs: 60_000,
    });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: ctx.groupId('job-runs'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: SCHEDULING_EVENTS_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const value = JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>;
        const data = (value.data ?? value) as Record<string, unknown>;
        // The topic is shared by every scheduling test file: only this file's job.
        if (data.job === jobName)
          received.push({ type: String(message.headers?.ce_type ?? ''), value: data });
        return Promise.resolve();
      },
    });

    const manifest = {
      name: jobName,
      owner: team,
      criticality: 'high',
      parameters: { region: 'string' },
      environments: {
        dev: { region: 'dev' },
        staging: { region: 'staging' },
        prod: { region: 'eu' },
      },
      tasks: [
        {
          id: 'extract',
          executor: {
            kind: 'http',
            method: 'GET',
            url: `http://127.0.0.1:${port}/${run}/extract?region={{region}}`,
          },
          timeoutSeconds: 30,
        },
        {
          id: 'reconcile',
          dependsOn: ['extract'],
          executor: { kind: 'http', method: 'POST', url: `http://127.0.0.1:${port}/${run}/flaky` },
          retries: { max: 2, backoffSeconds: 1, maxDelaySeconds: 1 },
          timeoutSeconds: 30,
        },
        {
          id: 'report',
          dependsOn: ['reconcile'],
          executor: {
            kind: 'http',
            method: 'POST',
            url: `http://127.0.0.1:${port}/${run}/report`,
            expect: { json: [{ path: '/status', equals: 'ok' }] },
          },
          timeoutSeconds: 30,
        },
      ],
    };
    const held = {
      ...manifest,
      name: heldJob,
      backpressure: [{ kind: 'http-health', url: `http://127.0.0.1:${port}/${run}/busy` }],
      tasks: [manifest.tasks[0]],
    };
    const slow = {
      ...manifest,
      name: slowJob,
      tasks: [
        {
          id: 'slow',
          executor: { kind: 'http', method: 'POST', url: `http://127.0.0.1:${port}/${run}/slow` },
          timeoutSeconds: 30,
        },
      ],
    };
    for (const m of [manifest, held, slow]) {
      const applied = await call<{ outcome: string; job?: { proposal?: { digest: string } } }>(
        jobs,
        'ApplyManifest',
        { manifest: Buffer.from(JSON.stringify(m)), reason: 'e2e' },
        'engineer',
      );
      if (applied.outcome === 'proposed')
        await call(
          jobs,
          'ApproveManifest',
          { name: m.name, digest: applied.job?.proposal?.digest ?? '', reason: 'e2e' },
          'approver',
        );
      // The catalogue reads the job-definition read model: running once projected.
      await waitFor(
        async () =>
          (
            await call<{ job?: { runningVersion: number } }>(
              jobs,
              'GetJob',
              { name: m.name },
              'viewer',
            )
          ).job?.runningVersion === 1,
        { description: `${m.name} running`, timeoutMs: 30_000 },
      );
    }
  }, 180_000);

  afterAll(async () => {
    restorePlanningTopic();
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    await consumer?.disconnect();
    await service?.stop();
    await ctx?.dispose();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('trigger over gRPC → executed by the HTTP executor (a 503 retried) → the tree over REST → CloudEvents on Kafka', async () => {
    const key = `month-end-${run}`;
    const triggered = await call<jobRuns.TriggerRunResponse>(
      runs,
      'TriggerRun',
      { job: jobName, idempotencyKey: key, reason: 'e2e' },
      'operator',
    );
    expect(triggered.created).toBe(true);
    expect(triggered.run).toMatchObject({ job: jobName, team, trigger: 'manual' });

    // The same key again: the same run, nothing new.
    const again = await call<jobRuns.TriggerRunResponse>(
      runs,
      'TriggerRun',
      { job: jobName, idempotencyKey: key },
      'operator',
    );
    expect(again).toMatchObject({ runId: triggered.runId, created: false });

    const finished = await waitFor(
      async () => {
        const { run: r } = await call<jobRuns.GetRunResponse>(
          runs,
          'GetRun',
          { runId: triggered.runId },
          'auditor',
        );
        return r?.state === 'finished' ? r : undefined;
      },
      { description: 'the run finished', timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(finished.outcome).toBe('succeeded');
    expect(finished.tasks.map((t) => [t.taskId, t.outcome, t.attempt])).toEqual([
      ['extract', 'succeeded', 1],
      ['reconcile', 'succeeded', 2],
      ['report', 'succeeded', 1],
    ]);
    expect(finished.tasks.map((t) => t.httpStatus)).toEqual([200, 200, 200]);
    for (const t of finished.tasks) {
      expect(Date.parse(t.finishedAt)).toBeGreaterThanOrEqual(Date.parse(t.startedAt));
      expect(t.durationMs).toBe(Date.parse(t.finishedAt) - Date.parse(t.startedAt));
    }
    // The loopback server saw the retried task twice with one idempotency key (the task key).
    const flaky = calls.filter((c) => c.path.endsWith('/flaky'));
    expect(flaky).toHaveLength(2);
    expect(flaky[0]?.key).not.toBe('');
    expect(flaky[1]?.key).toBe(flaky[0]?.key);

    // REST: the same tree, in dependency order, for a reader.
    const tree = await rest(`runs/${triggered.runId}`, 'auditor');
    expect(tree.status).toBe(200);
    expect(tree.body).toMatchObject({
      runId: triggered.runId,
      state: 'finished',
      outcome: 'succeeded',
      tasks: [
        { taskId: 'extract', dependsOn: [] },
        { taskId: 'reconcile', dependsOn: ['extract'], attempt: 2 },
        { taskId: 'report', dependsOn: ['reconcile'] },
      ],
    });
    const listed = await rest(`runs?job=${jobName}&state=finished`, 'auditor');
    expect((listed.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual([
      triggered.runId,
    ]);
    const taskList = await call<jobRuns.ListTaskRunsResponse>(
      runs,
      'ListTaskRuns',
      { runId: triggered.runId },
      'auditor',
    );
    expect(taskList.tasks.map((t) => t.taskId).sort()).toEqual(['extract', 'reconcile', 'report']);

    // The job-run CloudEvents, as any consumer of the topic reads them.
    const types = await waitFor(
      () => {
        const mine = received.filter((m) => m.value.runId === triggered.runId);
        const t = mine.map((m) => m.type);
        return t.some((x) => x.includes('JobRunFinished')) ? t : undefined;
      },
      { description: 'JobRunFinished on the topic', timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(types.some((t) => t.includes('JobRunScheduled'))).toBe(true);
    expect(types.some((t) => t.includes('JobRunStarted'))).toBe(true);
    expect(
      received.find((m) => m.value.runId === triggered.runId && m.type.includes('JobRunFinished'))
        ?.value,
    ).toMatchObject({ job: jobName, outcome: 'succeeded' });
  }, 120_000);

  it('cancels a run; a finished run changes nothing', async () => {
    const { runId } = await call<jobRuns.TriggerRunResponse>(
      runs,
      'TriggerRun',
      { job: jobName },
      'operator',
    );
    const cancelled = await rest(`runs/${runId}/cancel`, 'operator', {
      method: 'POST',
      body: JSON.stringify({ reason: 'e2e' }),
    });
    expect(cancelled.status).toBe(200);
    const done = await waitFor(
      async () => {
        const r = (await rest(`runs/${runId}`, 'auditor')).body;
        return r.state === 'finished' ? r : undefined;
      },
      { description: 'the cancelled run finished', timeoutMs: 60_000, intervalMs: 100 },
    );
    // Cancelled, unless it had already finished before the cancel landed (then changed was false).
    expect(done.outcome).toBe(
      (cancelled.body as { changed: boolean }).changed ? 'cancelled' : 'succeeded',
    );
    const second = await call<jobRuns.CancelRunResponse>(runs, 'CancelRun', { runId }, 'operator');
    expect(second.changed).toBe(false);
  }, 120_000);

  it('refuses: unknown job/run NOT_FOUND (404), readers cannot trigger, no run written', async () => {
    const before = await runCount();
    const unknown = await refusal(
      call(runs, 'TriggerRun', { job: `${team}.ledger.nothing` }, 'operator'),
    );
    expect(unknown.code).toBe(status.NOT_FOUND);
    const missingRun = await refusal(call(runs, 'GetRun', { runId: '0'.repeat(32) }, 'auditor'));
    expect(missingRun.code).toBe(status.NOT_FOUND);
    const denied = await refusal(call(runs, 'TriggerRun', { job: jobName }, 'auditor'));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const restUnknown = await rest('runs', 'operator', {
      method: 'POST',
      body: JSON.stringify({ job: `${team}.ledger.nothing` }),
    });
    expect(restUnknown.status).toBe(404);
    const restDenied = await rest('runs', 'viewer', {
      method: 'POST',
      body: JSON.stringify({ job: jobName }),
    });
    expect(restDenied.status).toBe(403);
    expect(await runCount()).toBe(before);
  }, 60_000);

  it('admission control: a full queue answers RESOURCE_EXHAUSTED with a RetryInfo, 429 with Retry-After, nothing queued', async () => {
    // The downstream answers 503: both runs wait to start (scheduled), filling the job's queue.
    for (let i = 0; i < 2; i++)
      await call(runs, 'TriggerRun', { job: heldJob, idempotencyKey: `held-${i}` }, 'operator');
    const before = await runCount();
    const refused = await refusal(
      call(runs, 'TriggerRun', { job: heldJob, idempotencyKey: 'held-2' }, 'operator'),
    );
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    const retry = richStatus(refused).details.find((d) => d.type === 'google.rpc.RetryInfo');
    expect(
      Number((retry?.value as { retryDelay: { seconds: string } }).retryDelay.seconds),
    ).toBeGreaterThan(0);
    const overRest = await rest('runs', 'operator', {
      method: 'POST',
      body: JSON.stringify({ job: heldJob, idempotencyKey: 'held-3' }),
    });
    expect(overRest.status).toBe(429);
    expect(Number(overRest.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await runCount()).toBe(before);
    const waiting = await call<jobRuns.ListRunsResponse>(
      runs,
      'ListRuns',
      { job: heldJob, state: 'scheduled' },
      'auditor',
    );
    expect(waiting.runs).toHaveLength(2);
  }, 60_000);

  it('documents /api/scheduling/runs in the OpenAPI document, with its DTOs', async () => {
    const response = await fetch(`${service.httpUrl}/api/scheduling/docs-json`);
    const doc = (await response.json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths['/api/scheduling/runs'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/scheduling/runs/{runId}']?.get).toBeDefined();
    expect(doc.paths['/api/scheduling/runs/{runId}/tasks']?.get).toBeDefined();
    expect(doc.paths['/api/scheduling/runs/{runId}/cancel']?.post).toBeDefined();
    for (const dto of ['JobRunDto', 'TaskRunDto', 'TriggerRunBodyDto', 'JobRunPageDto'])
      expect(doc.components.schemas[dto]).toBeDefined();
  });

  it('generated hostile input: INVALID_ARGUMENT / 400 naming the field, nothing written', async () => {
    const before = await runCount();
    const notAJobName = fc
      .string({ maxLength: 80 })
      .filter(
        (s) =>
          s !== '' &&
          !/^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/.test(s),
      );
    const badKey = fc.oneof(
      fc.string({ minLength: 201, maxLength: 400 }),
      fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
    );
    const notARunId = fc.string({ maxLength: 60 }).filter((s) => !/^[0-9a-f]{32}$/.test(s));
    await fc.assert(
      fc.asyncProperty(notAJobName, badKey, notARunId, async (job, key, runId) => {
        const byJob = await refusal(call(runs, 'TriggerRun', { job }, 'operator'));
        expect([byJob.code, trailer(byJob, 'trainyard-field')]).toEqual([
          status.INVALID_ARGUMENT,
          'job',
        ]);
        const byKey = await refusal(
          call(runs, 'TriggerRun', { job: jobName, idempotencyKey: key }, 'operator'),
        );
        expect([byKey.code, trailer(byKey, 'trainyard-field')]).toEqual([
          status.INVALID_ARGUMENT,
          'idempotency_key',
        ]);
        const byRun = await refusal(call(runs, 'CancelRun', { runId }, 'operator'));
        expect([byRun.code, trailer(byRun, 'trainyard-field')]).toEqual([
          status.INVALID_ARGUMENT,
          'run_id',
        ]);
        const restJob = await rest('runs', 'operator', {
          method: 'POST',
          body: JSON.stringify({ job, idempotencyKey: 'k' }),
        });
        expect([restJob.status, restJob.body.field]).toEqual([400, 'job']);
      }),
      { numRuns: 25 },
    );
    const byState = await refusal(call(runs, 'ListRuns', { state: 'exploded' }, 'auditor'));
    expect([byState.code, trailer(byState, 'trainyard-field')]).toEqual([
      status.INVALID_ARGUMENT,
      'state',
    ]);
    const byPage = await refusal(call(runs, 'ListRuns', { pageSize: 5000 }, 'auditor'));
    expect(trailer(byPage, 'trainyard-field')).toBe('page_size');
    const restFrom = await rest('runs?from=yesterday', 'auditor');
    expect([restFrom.status, restFrom.body.field]).toEqual([400, 'from']);
    const restType = await rest('runs', 'operator', {
      method: 'POST',
      body: JSON.stringify({ job: 42 }),
    });
    expect([restType.status, restType.body.field]).toEqual([400, 'job']);
    expect(await runCount()).toBe(before);
  }, 180_000);

  // Last: it stops the service (afterAll's stop is then a no-op).
  it('stops gracefully: a task in flight at shutdown finishes and its result is recorded', async () => {
    const { runId } = await call<jobRuns.TriggerRunResponse>(
      runs,
      'TriggerRun',
      { job: slowJob },
      'operator',
    );
    await waitFor(
      async () => {
        const { run: r } = await call<jobRuns.GetRunResponse>(runs, 'GetRun', { runId }, 'auditor');
        return r?.tasks[0]?.status === 'running';
      },
      { description: 'the slow task running', timeoutMs: 30_000, intervalMs: 50 },
    );
    await service.stop();
    const { rows } = await ctx.pool.query<{ status: string; outcome: string | null }>(
      `SELECT status, outcome FROM job_task_runs WHERE run_id = $1`,
      [runId],
    );
    expect(rows).toEqual([{ status: 'done', outcome: 'succeeded' }]);
    const finished = await ctx.pool.query<{ data: { outcome: string } }>(
      `SELECT data FROM events WHERE stream_id = $1 AND event_type = 'JobRunFinished'`,
      [`job-run-${runId}`],
    );
    expect(finished.rows.map((r) => r.data.outcome)).toEqual(['succeeded']);
  }, 60_000);
});
