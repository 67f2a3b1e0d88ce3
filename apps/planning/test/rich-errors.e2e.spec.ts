import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { DESCRIPTOR_SET_PATH, planning } from '@trainyard/grpc-contracts';
import {
  callUnary,
  callUnaryBytes,
  createTestContext,
  refusal,
  richStatus,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { planningService } from '../src/planning.service';

const PYTHON = process.env.TRAINYARD_PYTHON ?? '/usr/bin/python3';
const PYTHON_CLIENT = join(__dirname, 'python', 'rich_status_client.py');

describe('errors as the ecosystems expect them: google.rpc.Status over gRPC, problem+json over HTTP', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let writer: string;
  let reader: string;
  const run = randomBytes(3).toString('hex');

  const registration = (
    workloadId: string,
    overrides: Partial<planning.RegisterWorkloadRequest> = {},
  ) => ({
    workloadId,
    title: `Checkout ${workloadId}`,
    team: `payments-${run}`,
    components: [{ name: 'checkout-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE }],
    jobSize: 3,
    businessValue: 8,
    timeCriticality: 5,
    riskReduction: 2,
    dependsOn: [],
    reason: 'roadmap',
    ...overrides,
  });
  const eventCount = async () =>
    Number((await ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);
  const get = (path: string, token: string | undefined = reader) =>
    fetch(`${service.httpUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  beforeAll(async () => {
    ctx = await createTestContext('rich_errors');
    service = await startTestService(planningService, ctx);
    client = service.client('trainyard.planning.v1.PlanningService');
    writer = await service.token('release-manager');
    reader = await service.token('viewer');
  });
  afterAll(async () => {
    await service?.stop();
    await ctx?.dispose();
  });

  it('INVALID_ARGUMENT carries BadRequest with the snake_case field and ErrorInfo, beside the trainyard-field trailer', async () => {
    const error = await refusal(
      callUnary(client, 'RegisterWorkload', registration(`WL-${run}-1`, { jobSize: 4 }), writer),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get('trainyard-field')).toEqual(['job_size']);
    const rich = richStatus(error);
    expect(rich).toMatchObject({ code: status.INVALID_ARGUMENT, message: error.details });
    expect(rich.details).toEqual([
      {
        type: 'google.rpc.ErrorInfo',
        value: {
          reason: 'INVALID_FIELD',
          domain: 'trainyard.dev',
          metadata: { field: 'job_size' },
        },
      },
      {
        type: 'google.rpc.BadRequest',
        value: {
          fieldViolations: [
            expect.objectContaining({
              field: 'job_size',
              description: error.details,
              reason: 'INVALID_FIELD',
            }),
          ],
        },
      },
    ]);
  });

  // BadRequest used to carry only the first violation; a client then fixed one field per attempt.
  it('INVALID_ARGUMENT for a request with 3 bad fields carries a BadRequest with all 3 violations', async () => {
    const before = await eventCount();
    const error = await refusal(
      callUnary(
        client,
        'RegisterWorkload',
        registration(`WL-${run}-3bad`, { title: '', jobSize: 4, businessValue: 7 }),
        writer,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get('trainyard-field')).toEqual(['title']);
    const badRequest = richStatus(error).details.find((d) => d.type === 'google.rpc.BadRequest');
    expect(badRequest?.value).toEqual({
      fieldViolations: [
        { field: 'title', description: 'title is required', reason: 'INVALID_FIELD' },
        {
          field: 'job_size',
          description: expect.stringMatching(/^jobSize must be on the modified Fibonacci scale/),
          reason: 'INVALID_FIELD',
        },
        {
          field: 'business_value',
          description: expect.stringMatching(/^businessValue must be on the modified Fibonacci/),
          reason: 'INVALID_FIELD',
        },
      ],
    });
    expect(await eventCount()).toBe(before);
  });

  it('INVALID_ARGUMENT for 3 strings the database cannot store names all 3 (the edge guard, before any handler)', async () => {
    const error = await refusal(
      callUnary(
        client,
        'RegisterWorkload',
        registration(`WL-${run}-nul`, {
          title: 'a\u0000',
          team: 'b\u0000',
          components: [{ name: 'c\u0000', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE }],
        }),
        writer,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const badRequest = richStatus(error).details.find((d) => d.type === 'google.rpc.BadRequest');
    const violations = (
      badRequest?.value as { fieldViolations: { field: string; description: string }[] }
    ).fieldViolations;
    // In the order the decoded message holds its fields.
    expect(violations.map((v) => v.field).sort()).toEqual(['components[0].name', 'team', 'title']);
    for (const violation of violations) expect(violation.description).toMatch(/NUL/);
  });

  it('FAILED_PRECONDITION carries ErrorInfo with the rule id as reason and a PreconditionFailure naming the rule', async () => {
    const a = `WL-${run}-A`;
    const b = `WL-${run}-B`;
    await callUnary(client, 'RegisterWorkload', registration(a, { dependsOn: [b] }), writer);
    const error = await refusal(
      callUnary(client, 'RegisterWorkload', registration(b, { dependsOn: [a] }), writer),
    );
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.metadata.get('trainyard-rule')).toEqual(['dependency-acyclic']);
    expect(richStatus(error).details).toEqual([
      {
        type: 'google.rpc.ErrorInfo',
        value: {
          reason: 'dependency-acyclic',
          domain: 'trainyard.dev',
          metadata: { rule: 'dependency-acyclic' },
        },
      },
      {
        type: 'google.rpc.PreconditionFailure',
        value: {
          violations: [{ type: 'RULE', subject: 'dependency-acyclic', description: error.details }],
        },
      },
    ]);
  });

  it('NOT_FOUND carries ResourceInfo; PERMISSION_DENIED and UNAUTHENTICATED carry ErrorInfo', async () => {
    const missing = await refusal(
      callUnary(client, 'GetRelease', { releaseId: `R-${run}-none` }, reader),
    );
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(richStatus(missing).details).toContainEqual({
      type: 'google.rpc.ResourceInfo',
      value: expect.objectContaining({
        resourceName: `R-${run}-none`,
        description: missing.details,
      }),
    });
    const denied = await refusal(
      callUnary(client, 'RegisterWorkload', registration(`WL-${run}-2`), reader),
    );
    expect(richStatus(denied)).toMatchObject({
      code: status.PERMISSION_DENIED,
      details: [
        {
          type: 'google.rpc.ErrorInfo',
          value: { reason: 'PERMISSION_DENIED', domain: 'trainyard.dev' },
        },
      ],
    });
    const anonymous = await refusal(callUnary(client, 'ListTracks', {}));
    expect(richStatus(anonymous).code).toBe(status.UNAUTHENTICATED);
  });

  it('an independent client (python3 grpcio, C core) decodes the status details', async () => {
    const request = JSON.stringify({
      workloadId: `WL-${run}-py`,
      title: 'Python client',
      team: 'payments',
      // One bad field (every bad field is reported, so the other points are valid).
      jobSize: 4,
      businessValue: 8,
      timeCriticality: 5,
      riskReduction: 2,
      components: [{ name: 'svc', kind: 'COMPONENT_KIND_SERVICE' }],
    });
    // Asynchronous: the service answering it runs in this process.
    const result = await promisify(execFile)(
      PYTHON,
      [
        PYTHON_CLIENT,
        service.grpcAddress,
        writer,
        DESCRIPTOR_SET_PATH,
        'trainyard.planning.v1.PlanningService/RegisterWorkload',
        request,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    ).catch((error: Error & { stderr?: string }) => {
      throw new Error(
        `${PYTHON} ${PYTHON_CLIENT} failed (needs Debian's python3-grpcio and python3-protobuf; .ci/run installs them): ${error.message} ${error.stderr ?? ''}`,
      );
    });
    const decoded = JSON.parse(result.stdout) as {
      code: string;
      message: string;
      status_code: number;
      details: unknown[];
    };
    expect(decoded).toMatchObject({
      code: 'INVALID_ARGUMENT',
      status_code: status.INVALID_ARGUMENT,
    });
    expect(decoded.message).toContain('modified Fibonacci');
    expect(decoded.details).toEqual([
      {
        '@type': 'google.rpc.ErrorInfo',
        reason: 'INVALID_FIELD',
        domain: 'trainyard.dev',
        metadata: { field: 'job_size' },
      },
      {
        '@type': 'google.rpc.BadRequest',
        field_violations: [
          { field: 'job_size', description: decoded.message, reason: 'INVALID_FIELD' },
        ],
      },
    ]);
  });

  it('HTTP errors are application/problem+json with type, title, status, detail, instance and the field or rule', async () => {
    const invalid = await get('/api/planning/workloads?pageSize=0');
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await invalid.json()).toEqual({
      type: 'https://trainyard.dev/problems/validation-error',
      title: 'Invalid request',
      status: 400,
      detail: expect.stringContaining('pageSize'),
      instance: '/api/planning/workloads',
      field: 'pageSize',
    });
    const missing = await get(`/api/planning/releases/R-${run}-none`);
    expect(await missing.json()).toMatchObject({
      type: 'https://trainyard.dev/problems/not-found',
      status: 404,
      instance: `/api/planning/releases/R-${run}-none`,
    });
    const anonymous = await get('/api/planning/releases', '');
    expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await anonymous.json()).toMatchObject({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
    });
  });

  it('the OpenAPI document describes 4xx answers as ProblemDetails', async () => {
    const document = (await (await get('/api/planning/docs-json')).json()) as {
      paths: Record<
        string,
        {
          get: {
            responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }>;
          };
        }
      >;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const responses = document.paths['/api/planning/workloads']?.get.responses ?? {};
    expect(responses['400']?.content?.['application/problem+json']?.schema.$ref).toBe(
      '#/components/schemas/ProblemDetailsDto',
    );
    expect(Object.keys(document.components.schemas.ProblemDetailsDto?.properties ?? {})).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'field', 'rule']),
    );
  });

  it('refuses text the database cannot store as INVALID_ARGUMENT / 400 naming the field, and writes nothing', async () => {
    const before = await eventCount();
    const nul = await refusal(
      callUnary(
        client,
        'RegisterWorkload',
        registration(`WL-${run}-3`, { title: 'a\u0000b' }),
        writer,
      ),
    );
    expect(nul.code).toBe(status.INVALID_ARGUMENT);
    expect(nul.metadata.get('trainyard-field')).toEqual(['title']);
    const nested = await refusal(
      callUnary(
        client,
        'RegisterWorkload',
        registration(`WL-${run}-4`, {
          components: [
            { name: 'x'.repeat(5000), kind: planning.ComponentKind.COMPONENT_KIND_SERVICE },
          ],
        }),
        writer,
      ),
    );
    expect(nested.metadata.get('trainyard-field')).toEqual(['components[0].name']);
    const team = await get('/api/planning/workloads?team=%00x');
    expect(team.status).toBe(400);
    expect(await team.json()).toMatchObject({ field: 'team' });
    const id = await get('/api/planning/releases/%00');
    expect(id.status).toBe(400);
    expect(await id.json()).toMatchObject({ field: 'id' });
    expect(await eventCount()).toBe(before);
  });

  it('answers INVALID_ARGUMENT, not INTERNAL, to bytes that are not a protobuf message', async () => {
    const error = await refusal(
      callUnaryBytes(
        client,
        '/trainyard.planning.v1.PlanningService/RegisterWorkload',
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), // field 1, length far beyond the message
        writer,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  });
});
