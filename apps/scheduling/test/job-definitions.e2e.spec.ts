import { randomBytes, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { jobDefinitions } from '@trainyard/grpc-contracts';
import { SCHEDULING_EVENTS_TOPIC } from '@trainyard/scheduling-contracts';
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
import { JOB_CATALOG, type JobCatalog } from '../src/jobs/definitions/job-catalog';
import { JOB_DEFINITION_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/**
 * Job definitions end to end over gRPC and REST on the real PostgreSQL: validate → diff → apply a
 * prod-affecting manifest (a proposal) → its author cannot approve it, another person can →
 * a dev-only change applies directly → roll back → every version listed → deprecate and
 * reinstate, as the runtime's catalogue sees it; permissions per method.
 */
const clock = new ManualClock('2031-05-04T09:00:00.000Z');
const run = randomBytes(3).toString('hex');
const NAME = `finance.ledger.close-${run}`;

const manifestYaml = (criticality = 'critical', prodBatch = 5000) => `
# month-end close, as a team keeps it in git
name: ${NAME}
owner: finance
criticality: ${criticality}
schedule: { cron: '30 2 1 * *', zone: Europe/Berlin }
parameters: { batchSize: number, token: secret-ref }
environments:
  dev: { batchSize: 10, token: 'secret:token-dev' }
  staging: { batchSize: 100, token: 'secret:token-staging' }
  prod: { batchSize: ${prodBatch}, token: 'secret:token' }
concurrency: { maxActiveRuns: 1, overlap: skip }
priority: 80
tasks:
  - id: settle
    executor: { kind: http, method: POST, url: 'https://payments.example/settle' }
    timeoutSeconds: 600
    pools: [{ pool: 'db:payments', slots: 1 }]
  - id: export
    dependsOn: [settle]
    executor: { kind: command, program: ledger-export, args: ['--batch', '{{batchSize}}'] }
    timeoutSeconds: 600
`;

describe('job definitions over gRPC and REST', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  const tokens: Record<string, string> = {};
  let restorePlanningTopic = (): void => undefined;
  let consumer: Consumer | undefined;
  const received: { key: string; type: string; value: Record<string, unknown> }[] = [];

  const call = <T>(method: string, request: unknown, who: string, correlationId = randomUUID()) =>
    callUnary<T>(client, method, request, tokens[who], correlationId);
  const written = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);
  const rest = async (
    method: string,
    path: string,
    who: string,
    body?: { type: string; text: string },
  ) => {
    const response = await fetch(`${service.httpUrl}/api/scheduling/jobs${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[who] ?? ''}`,
        ...(body ? { 'content-type': body.type } : {}),
      },
      ...(body ? { body: body.text } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  beforeAll(async () => {
    ctx = await createTestContext('sched_jobs_e2e');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService({ ...schedulingService, clock }, ctx);
    client = service.client(JOB_DEFINITION_GRPC_SERVICE);
    // Distinct subjects: a dev token's subject is `dev-<first role>`.
    tokens.author = await service.token('release-manager');
    tokens.authorWhoApproves = await service.token('release-manager', 'approver');
    tokens.approver = await service.token('approver');
    tokens.engineer = await service.token('engineer');
    tokens.viewer = await service.token('viewer');
    tokens.auditor = await service.token('auditor');
    const kafka = new Kafka({
      clientId: `jobs-e2e-${run}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await admin.listTopics()).includes(SCHEDULING_EVENTS_TOPIC), {
      description: `topic ${SCHEDULING_EVENTS_TOPIC}`,
    });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: ctx.groupId('jobs'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: SCHEDULING_EVENTS_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString() ?? '';
        // The topic is shared by every scheduling test file: only this run's job.
        if (key === `job-definition-${NAME}`)
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
    await consumer?.disconnect();
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('validate → diff → prod change proposed → four eyes → approved → direct change → roll back → versions → deprecate → reinstate', async () => {
    const validated = await call<jobDefinitions.ValidateManifestResponse>(
      'ValidateManifest',
      { manifest: bytes(manifestYaml()) },
      'auditor',
    );
    expect(validated.name).toBe(NAME);
    expect(validated.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(validated.manifestJson)).toMatchObject({
      priority: 80,
      tasks: [{ id: 'export' }, { id: 'settle', pools: [{ pool: 'db:payments', slots: 1 }] }],
    });

    const firstDiff = await call<jobDefinitions.DiffManifestResponse>(
      'DiffManifest',
      { manifest: bytes(manifestYaml()) },
      'viewer',
    );
    expect(firstDiff).toMatchObject({
      name: NAME,
      runningVersion: 0,
      needsApproval: true,
      unchanged: false,
      digest: validated.digest,
    });
    expect(firstDiff.approvalReasons).toContain('the prod parameters change');

    // A reader may look, not apply: nothing written.
    const readOnly = randomUUID();
    const denied = await refusal(
      call('ApplyManifest', { manifest: bytes(manifestYaml()) }, 'auditor', readOnly),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(await written(readOnly)).toBe(0);

    const proposed = await call<jobDefinitions.ApplyManifestResponse>(
      'ApplyManifest',
      { manifest: bytes(manifestYaml()), reason: 'month-end close moves to the ledger team' },
      'author',
    );
    expect(proposed.outcome).toBe('proposed');
    expect(proposed.job).toMatchObject({
      name: NAME,
      owner: 'finance',
      runningVersion: 0,
      proposal: { digest: validated.digest, author: 'dev-release-manager', baseVersion: 0 },
    });

    // The author holding the approver role too: refused by rule, nothing written.
    const self = randomUUID();
    const fourEyes = await refusal(
      call('ApproveManifest', { name: NAME, digest: validated.digest }, 'authorWhoApproves', self),
    );
    expect(fourEyes.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(fourEyes, 'trainyard-rule')).toBe('job-change-four-eyes');
    expect(await written(self)).toBe(0);
    // An engineer may apply but not approve.
    expect(
      (await refusal(call('ApproveManifest', { name: NAME, digest: validated.digest }, 'engineer')))
        .code,
    ).toBe(status.PERMISSION_DENIED);
    // A stale digest is refused by rule.
    const stale = await refusal(
      call('ApproveManifest', { name: NAME, digest: 'sha256:00' }, 'approver'),
    );
    expect(trailer(stale, 'trainyard-rule')).toBe('job-proposal-stale');

    const approved = await call<jobDefinitions.ApproveManifestResponse>(
      'ApproveManifest',
      { name: NAME, digest: validated.digest },
      'approver',
    );
    expect(approved).toMatchObject({
      changed: true,
      job: {
        runningVersion: 1,
        digest: validated.digest,
        author: 'dev-release-manager',
        approvedBy: 'dev-approver',
        versionCount: 1,
      },
    });
    expect(approved.job?.proposal ?? undefined).toBeUndefined();

    // Criticality alone does not affect prod: applied directly by an engineer.
    const direct = await call<jobDefinitions.ApplyManifestResponse>(
      'ApplyManifest',
      { manifest: bytes(manifestYaml('high')) },
      'engineer',
    );
    expect(direct.outcome).toBe('applied');
    expect(direct.job).toMatchObject({ runningVersion: 2, criticality: 'high' });
    expect(direct.changes).toEqual([
      { op: 'changed', path: 'criticality', oldJson: '"critical"', newJson: '"high"' },
    ]);
    const again = await call<jobDefinitions.ApplyManifestResponse>(
      'ApplyManifest',
      { manifest: bytes(manifestYaml('high')) },
      'engineer',
    );
    expect(again.outcome).toBe('unchanged');
    expect(
      await call<jobDefinitions.DiffManifestResponse>(
        'DiffManifest',
        { manifest: bytes(manifestYaml('high')) },
        'viewer',
      ),
    ).toMatchObject({ unchanged: true, runningVersion: 2, changes: [] });

    // A prod parameter change waits; another change meanwhile is refused by rule.
    const prodChange = await call<jobDefinitions.ApplyManifestResponse>(
      'ApplyManifest',
      { manifest: bytes(manifestYaml('high', 6000)) },
      'author',
    );
    expect(prodChange.outcome).toBe('proposed');
    const pending = await refusal(
      call('ApplyManifest', { manifest: bytes(manifestYaml('low')) }, 'engineer'),
    );
    expect(trailer(pending, 'trainyard-rule')).toBe('job-proposal-pending');

    // Rolling back to version 1 needs nobody else and withdraws the proposal.
    const rolledBack = await call<jobDefinitions.RollBackJobResponse>(
      'RollBackJob',
      { name: NAME, toVersion: 1, reason: 'back to the approved version' },
      'author',
    );
    expect(rolledBack.job).toMatchObject({
      runningVersion: 3,
      digest: validated.digest,
      criticality: 'critical',
      versionCount: 3,
    });
    expect(rolledBack.job?.proposal ?? undefined).toBeUndefined();
    const missing = await refusal(call('RollBackJob', { name: NAME, toVersion: 9 }, 'author'));
    expect(missing.code).toBe(status.NOT_FOUND);

    const versions = await call<jobDefinitions.ListJobVersionsResponse>(
      'ListJobVersions',
      { name: NAME },
      'auditor',
    );
    expect(versions.total).toBe(3);
    expect(versions.items.map((v) => [v.version, v.rolledBackFrom, v.approvedBy])).toEqual([
      [3, 1, ''],
      [2, 0, ''],
      [1, 0, 'dev-approver'],
    ]);

    const catalog = service.running.app.get<JobCatalog>(JOB_CATALOG);
    expect(await catalog.get(NAME)).toMatchObject({
      version: 3,
      digest: validated.digest,
      deprecated: false,
      manifest: { name: NAME, priority: 80 },
    });

    const deprecated = await call<jobDefinitions.DeprecateJobResponse>(
      'DeprecateJob',
      { name: NAME, reason: 'replaced by finance.ledger.close-v2' },
      'author',
    );
    expect(deprecated.job).toMatchObject({
      deprecated: true,
      deprecatedReason: 'replaced by finance.ledger.close-v2',
      deprecatedBy: 'dev-release-manager',
    });
    expect((await catalog.running()).find((j) => j.name === NAME)?.deprecated).toBe(true);
    const listed = await call<jobDefinitions.ListJobsResponse>(
      'ListJobs',
      { owner: 'finance', status: 'deprecated', pageSize: 200 },
      'viewer',
    );
    expect(listed.items.map((j) => j.name)).toContain(NAME);
    const reinstated = await call<jobDefinitions.ReinstateJobResponse>(
      'ReinstateJob',
      { name: NAME },
      'engineer',
    );
    expect(reinstated).toMatchObject({ changed: true, job: { deprecated: false } });
    expect((await catalog.get(NAME))?.deprecated).toBe(false);

    // Every change is an integration event on the service's topic, keyed by the job's stream.
    const expectedTypes = [
      'JobManifestProposed',
      'JobManifestApplied',
      'JobManifestApplied',
      'JobManifestProposed',
      'JobManifestRolledBack',
      'JobDeprecated',
      'JobReinstated',
    ].map((t) => `dev.trainyard.scheduling.${t}.v1`);
    await waitFor(() => received.length >= expectedTypes.length, {
      description: 'the job-definition events on the topic',
      timeoutMs: 60_000,
    });
    expect(received.map((r) => r.type)).toEqual(expectedTypes);
    expect(received[1]?.value).toMatchObject({
      name: NAME,
      version: 1,
      approvedBy: 'dev-approver',
      digest: validated.digest,
    });
    expect(received[1]?.value).not.toHaveProperty('manifest');
  });

  it('REST: the same semantics (200 / 400 / 403 / 404 / 409)', async () => {
    const name = `finance.ledger.rest-${run}`;
    const yaml = manifestYaml('low').replace(`name: ${NAME}`, `name: ${name}`);
    const devOnly = yaml
      .replace(/prod: \{[^}]*\}/, 'prod: {}')
      .replace('parameters: { batchSize: number, token: secret-ref }', 'parameters: {}')
      .replace(/dev: \{[^}]*\}/, 'dev: {}')
      .replace(/staging: \{[^}]*\}/, 'staging: {}')
      .replace("'{{batchSize}}'", "'10'");

    const validated = await rest('POST', '/validate', 'viewer', {
      type: 'application/yaml',
      text: devOnly,
    });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ name });

    const bad = await rest('POST', '/validate', 'viewer', {
      type: 'text/plain',
      text: devOnly
        .replace('timeoutSeconds: 600', 'timeoutSeconds: -1')
        .replace('criticality: low', 'criticality: urgent'),
    });
    expect(bad.status).toBe(400);
    // Every problem, each with its path: fixed in one round trip, not one per attempt.
    expect(bad.body).toMatchObject({
      field: 'criticality',
      violations: [
        { field: 'criticality', detail: expect.stringMatching(/^criticality must be one of/) },
        { field: 'tasks[0].timeoutSeconds', detail: expect.stringMatching(/^tasks\[0\]/) },
      ],
    });

    const syntax = await rest('POST', '/validate', 'viewer', {
      type: 'application/yaml',
      text: 'name: [unclosed\nowner: x',
    });
    expect(syntax.status).toBe(400);
    expect(syntax.body).toMatchObject({ field: 'manifest' });
    expect(String(syntax.body.detail)).toMatch(/line \d+, column \d+/);

    expect(
      (await rest('POST', '', 'viewer', { type: 'application/yaml', text: devOnly })).status,
    ).toBe(403);
    const applied = await rest('POST', '', 'engineer', { type: 'application/yaml', text: devOnly });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ outcome: 'applied', job: { name, runningVersion: 1 } });

    // JSON bodies are manifests too.
    const asJson = await rest('POST', '/diff', 'viewer', {
      type: 'application/json',
      text: JSON.stringify((applied.body.job as { manifest: unknown }).manifest),
    });
    expect(asJson.status).toBe(200);
    expect(asJson.body).toMatchObject({ unchanged: true, runningVersion: 1 });

    const absent = await rest('POST', `/${name}/approve`, 'approver', {
      type: 'application/json',
      text: JSON.stringify({ digest: 'sha256:00' }),
    });
    expect(absent.status).toBe(409);
    expect(absent.body).toMatchObject({ rule: 'job-proposal-absent' });

    const noReason = await rest('POST', `/${name}/deprecate`, 'engineer', {
      type: 'application/json',
      text: JSON.stringify({}),
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({ field: 'reason' });

    expect((await rest('GET', `/${name}`, 'auditor')).body).toMatchObject({
      name,
      runningVersion: 1,
      deprecated: false,
    });
    expect((await rest('GET', `/finance.ledger.nothing-${run}`, 'auditor')).status).toBe(404);
    expect((await rest('GET', `/Not A Name`, 'auditor')).status).toBe(400);
    const versions = await rest('GET', `/${name}/versions`, 'auditor');
    expect(versions.body).toMatchObject({ total: 1, items: [{ version: 1, name }] });
    const page = await rest('GET', `?owner=finance&pageSize=1&page=1`, 'viewer');
    expect(page.body).toMatchObject({ page: 1, pageSize: 1 });
    expect((page.body.items as unknown[]).length).toBe(1);
    expect((await rest('GET', `?pageSize=500`, 'viewer')).body).toMatchObject({
      field: 'pageSize',
    });
  });
});
