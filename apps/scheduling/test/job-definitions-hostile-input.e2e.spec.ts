import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Enum, Root, Type, type Field } from 'protobufjs';
import { stringify } from 'yaml';
import { PROTO_INCLUDE_DIR } from '@trainyard/grpc-contracts';
import {
  callUnary,
  callUnaryBytes,
  createTestContext,
  fieldViolationsOf,
  errorOf,
  ManualClock,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { JOB_DEFINITION_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/**
 * Hostile manifests and requests, generated: random YAML and JSON junk, wrong types in every
 * field of a valid manifest, huge and deeply nested documents, bytes that are not UTF-8, and
 * random messages for every method of JobDefinitionService (from the proto). A manifest refused
 * is INVALID_ARGUMENT (gRPC) or 400 (REST) naming a field, and nothing is stored; no call answers
 * INTERNAL/UNKNOWN or a 5xx.
 */
const RUNS = 40;
const SERVER_FAULTS = new Set<number>([
  status.INTERNAL,
  status.UNKNOWN,
  status.DATA_LOSS,
  status.UNIMPLEMENTED,
]);

const root = new Root();
root.resolvePath = (_origin, target) => join(PROTO_INCLUDE_DIR, target);
root.loadSync('trainyard/scheduling/v1/jobs.proto');
root.resolveAll();
const methods = root.lookupService(JOB_DEFINITION_GRPC_SERVICE).methodsArray;

const run = randomBytes(3).toString('hex');
const NAME = `ops.hostile.job-${run}`;
/** A valid manifest (no prod parameters) that hostile values are put into. */
const valid = (): Record<string, unknown> => ({
  name: NAME,
  owner: 'ops',
  criticality: 'low',
  parameters: {},
  environments: { dev: {}, staging: {}, prod: {} },
  tasks: [
    {
      id: 'ping',
      executor: { kind: 'http', method: 'GET', url: 'https://ops.example/ping' },
      timeoutSeconds: 30,
    },
    {
      id: 'report',
      dependsOn: ['ping'],
      executor: { kind: 'kafka', topic: 'ops.reports' },
      timeoutSeconds: 30,
    },
  ],
});

const hostileValue = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(
    'a\u0000b',
    'x'.repeat(5_000),
    -1,
    1e308,
    0.5,
    '',
    [],
    {},
    null,
    true,
    '{{nope}}',
    'secret:x',
    'db::x',
  ),
);
const TOP_FIELDS = [
  'name',
  'owner',
  'criticality',
  'schedule',
  'parameters',
  'environments',
  'tasks',
  'concurrency',
  'priority',
  'catchUpSeconds',
  'sla',
  'startJitterSeconds',
  'backpressure',
  'components',
  'extra',
];
const TASK_FIELDS = [
  'id',
  'executor',
  'dependsOn',
  'trigger',
  'retries',
  'timeoutSeconds',
  'heartbeatSeconds',
  'pools',
  'outcomes',
  'bogus',
];

/** A valid manifest with one field (top level or of a task) replaced by something wrong. */
const wrongType = fc
  .record({
    top: fc.boolean(),
    field: fc.constantFrom(...TOP_FIELDS),
    taskField: fc.constantFrom(...TASK_FIELDS),
    value: hostileValue,
  })
  .map(({ top, field, taskField, value }) => {
    const m = valid();
    if (top) m[field] = value;
    else
      (m.tasks as Record<string, unknown>[])[1] = {
        ...(m.tasks as object[])[1],
        [taskField]: value,
      };
    return m;
  });

/** Text that is not a manifest: junk YAML and JSON, syntax errors, aliases, huge and deep documents. */
const junkText = fc.oneof(
  fc.anything({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.anything({ maxDepth: 4 }).map((v) => {
    try {
      // stringify gives undefined for undefined, whatever its declared type says.
      const text: string | undefined = stringify(v);
      return text ?? 'null';
    } catch {
      return '- x';
    }
  }),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    'name: [unclosed',
    '{"name": "a", "name": "b"}',
    'a: &a [*a]',
    'a: &a ["x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    `tasks:\n${'  - id: t\n'.repeat(30_000)}`,
    `name: ${'x'.repeat(300_000)}`,
    '\ufeffname: x',
    '--- a\n--- b',
    '!!binary aGVsbG8=',
  ),
  wrongType.map((m) => JSON.stringify(m)),
  wrongType.map((m) => stringify(m)),
);

describe('job definitions: hostile input is refused with a field named and nothing stored', () => {
  const clock = new ManualClock('2031-05-04T09:00:00.000Z');
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let token: string;
  let restorePlanningTopic = (): void => undefined;

  const eventsOf = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);
  const jobRows = async () =>
    Number(
      (await ctx.pool.query<{ n: string }>(`SELECT count(*) AS n FROM job_definitions`)).rows[0]?.n,
    );

  /** The gRPC error of a call (typed, or bytes when raw), or undefined when it succeeded. */
  const send = (method: string, request: unknown, correlationId: string, raw = false) =>
    errorOf(
      raw
        ? callUnaryBytes(
            client,
            `/${JOB_DEFINITION_GRPC_SERVICE}/${method}`,
            request as Buffer,
            token,
            correlationId,
          )
        : callUnary(client, method, request, token, correlationId),
    );

  beforeAll(async () => {
    ctx = await createTestContext('sched_jobs_hostile');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService({ ...schedulingService, clock }, ctx);
    client = service.client(JOB_DEFINITION_GRPC_SERVICE);
    token = await service.token('admin');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('the valid manifest the generators start from is accepted (so refusals below are the hostile part)', async () => {
    expect(
      await send(
        'ValidateManifest',
        { manifest: Buffer.from(JSON.stringify(valid())) },
        randomUUID(),
      ),
    ).toBeUndefined();
  });

  it('gRPC ApplyManifest: junk, wrong types, huge and non-UTF-8 documents → INVALID_ARGUMENT naming a field, nothing stored', async () => {
    const accepted = new Set<string>();
    const refused = async (manifest: Buffer) => {
      const correlationId = randomUUID();
      const error = await send('ApplyManifest', { manifest }, correlationId);
      if (error === undefined) {
        // Junk that happens to be a valid manifest (e.g. a number that is a valid priority).
        accepted.add(correlationId);
        return;
      }
      if (error.code !== status.INVALID_ARGUMENT)
        throw new Error(
          `${status[error.code]} (${error.details}) for ${manifest.toString('utf8').slice(0, 200)}`,
        );
      const field = error.metadata.get('trainyard-field')[0];
      expect(typeof field === 'string' && field.length > 0).toBe(true);
      // Every problem is listed (BadRequest), the first being the one the trailer names.
      expect(fieldViolationsOf(error)[0]?.field).toBe(field);
      expect(await eventsOf(correlationId)).toBe(0);
    };
    await fc.assert(
      fc.asyncProperty(junkText, (text) => refused(Buffer.from(text, 'utf8'))),
      { numRuns: RUNS * 3 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) =>
        refused(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes)])),
      ),
      { numRuns: 10 },
    );
    // Junk that happened to be valid was applied (all of it names the one job NAME); nothing
    // refused left a row.
    expect(await jobRows()).toBe(accepted.size > 0 ? 1 : 0);
  });

  it('gRPC: names the field — a wrong type in a task, the syntax error with its line, the size', async () => {
    const fieldOf = async (text: string) => {
      const error = await send('ValidateManifest', { manifest: Buffer.from(text) }, randomUUID());
      return {
        code: error?.code,
        field: String(error?.metadata.get('trainyard-field')[0]),
        details: error?.details ?? '',
      };
    };
    const m = valid();
    (m.tasks as Record<string, unknown>[])[1] = {
      ...(m.tasks as object[])[1],
      timeoutSeconds: 'soon',
    };
    expect(await fieldOf(stringify(m))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'tasks[1].timeout_seconds',
    });
    // Several independent problems: all of them, each with its snake_case path, in one answer.
    const several = valid();
    const [ping, report] = several.tasks as Record<string, unknown>[];
    several.criticality = 'urgent';
    several.tasks = [
      { ...ping, timeoutSeconds: 0 },
      { ...report, dependsOn: ['ping', 'nope'], executor: { kind: 'kafka', topic: 'a b' } },
    ];
    const correlationId = randomUUID();
    const error = await send(
      'ApplyManifest',
      { manifest: Buffer.from(stringify(several)) },
      correlationId,
    );
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error as ServiceError)).toEqual([
      { field: 'criticality', description: expect.stringMatching(/^criticality must be one of/) },
      { field: 'tasks[0].timeout_seconds', description: expect.stringMatching(/^tasks\[0\]/) },
      { field: 'tasks[1].executor.topic', description: expect.stringMatching(/Kafka topic/) },
      { field: 'tasks[1].depends_on[1]', description: expect.stringMatching(/"nope"/) },
    ]);
    expect(error?.details).toMatch(/^4 fields are invalid: criticality: /);
    expect(await eventsOf(correlationId)).toBe(0);
    const syntax = await fieldOf('name: x\ntasks: [\n  {id: a\n');
    expect(syntax).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'manifest' });
    expect(syntax.details).toMatch(/line \d+, column \d+/);
    expect(await fieldOf(`description: ${'x'.repeat(300_000)}`)).toMatchObject({
      field: 'manifest',
    });
    expect(await fieldOf(JSON.stringify({ ...valid(), description: 'a\u0000b' }))).toMatchObject({
      field: 'description',
    });
    // A key that is not ASCII names the field in a trailer, which grpc-js takes only as printable
    // ASCII: escaped there (the BadRequest keeps it as written), not a failed call.
    const unicodeKey = await send(
      'ValidateManifest',
      { manifest: Buffer.from(JSON.stringify({ ...valid(), délai: 5 })) },
      randomUUID(),
    );
    expect(unicodeKey?.code).toBe(status.INVALID_ARGUMENT);
    expect(unicodeKey?.metadata.get('trainyard-field')[0]).toBe('"d\\u00e9lai"');
    expect(fieldViolationsOf(unicodeKey as ServiceError)[0]?.field).toBe('"délai"');
  });

  it.each(methods.map((m) => [m.name, m] as const))(
    'gRPC %s: random messages never answer INTERNAL/UNKNOWN, and a refused call writes nothing',
    async (name, method) => {
      const requestType = method.resolvedRequestType;
      if (!requestType) throw new Error(`unresolved ${method.requestType}`);
      const check = async (request: unknown, raw: boolean) => {
        const correlationId = randomUUID();
        const error = await send(name, request, correlationId, raw);
        if (!error) return;
        if (
          error.code === status.INTERNAL &&
          error.details.startsWith('Request message serialization failure')
        )
          return;
        if (SERVER_FAULTS.has(error.code))
          throw new Error(`${name} answered ${status[error.code]} (${error.details})`);
        expect(await eventsOf(correlationId)).toBe(0);
      };
      await fc.assert(
        fc.asyncProperty(message(requestType), (request) => check(request, false)),
        { numRuns: 15 },
      );
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 48 }), (bytes) =>
          check(Buffer.from(bytes), true),
        ),
        { numRuns: 3 },
      );
    },
  );

  it('REST: hostile manifests → 400 naming a field, nothing stored; no route answers 5xx', async () => {
    const post = async (path: string, type: string, body: string) => {
      const correlationId = randomUUID();
      const response = await fetch(`${service.httpUrl}/api/scheduling/jobs${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': type,
          'x-correlation-id': correlationId,
        },
        body,
      });
      if (response.status >= 400 && (await eventsOf(correlationId)) !== 0)
        throw new Error(`POST ${path} was refused (${response.status}) yet wrote events`);
      const text = await response.text();
      if (response.status >= 500)
        throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 200)}`);
      return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
    };
    // Huge bodies and text that is not JSON under a JSON content type: refused before the route.
    for (const [type, text] of [
      ['application/json', `name: ${'x'.repeat(300_000)}`],
      ['application/json', JSON.stringify({ description: 'x'.repeat(300_000) })],
      ['application/json', 'name: x'],
      ['application/yaml', `name: ${'x'.repeat(300_000)}`],
    ] as const) {
      const answer = await post('', type, text);
      expect([400, 413]).toContain(answer.status);
    }
    await fc.assert(
      fc.asyncProperty(
        junkText,
        fc.constantFrom('application/yaml', 'text/plain', 'application/json', 'text/csv'),
        fc.constantFrom('', '/validate', '/diff'),
        async (text, type, path) => {
          const answer = await post(path, type, text);
          // 413 when the JSON body parser refuses a huge body before the route; 415 for a body of
          // a type the routes do not read (text/csv), before the route too.
          expect(type === 'text/csv' && text !== '' ? [415] : [200, 400, 413]).toContain(
            answer.status,
          );
          // The platform's JSON body parser refuses text that is not JSON before the route (a
          // 400 problem without a field); every other refusal names one.
          const mustNameField =
            answer.status === 400 && !(type === 'application/json' && !isJson(text));
          expect(mustNameField ? typeof answer.body.field : 'string').toBe('string');
        },
      ),
      { numRuns: RUNS },
    );
    for (const path of [
      `/${NAME}/approve`,
      `/${NAME}/rollback`,
      `/${NAME}/deprecate`,
      '/x/reinstate',
    ])
      await fc.assert(
        fc.asyncProperty(fc.anything({ maxDepth: 2 }), async (body) => {
          const answer = await post(path, 'application/json', JSON.stringify(body) ?? 'null');
          expect(answer.status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: 10 },
      );
  });
});

function isJson(text: string): boolean {
  try {
    // The parser is strict: only an object or a list is a JSON body.
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

function scalar(field: Field, depth: number): fc.Arbitrary<unknown> {
  const resolved = field.resolvedType;
  if (resolved instanceof Enum) return fc.constantFrom(...Object.keys(resolved.values));
  if (resolved instanceof Type) return depth >= 2 ? fc.constant({}) : message(resolved, depth + 1);
  switch (field.type) {
    case 'string':
      return fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('', NAME, 'x'.repeat(2_000), 'a\u0000b', 'scheduled', 'sha256:00'),
      );
    case 'bytes':
      return fc.oneof(
        junkText.map((t) => Buffer.from(t)),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      );
    case 'bool':
      return fc.boolean();
    default:
      return fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 1, 2 ** 31 - 1, -(2 ** 31)));
  }
}

function message(type: Type, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    type.fieldsArray.map((field) => {
      const one = scalar(field, depth);
      return [field.name, field.repeated ? fc.array(one, { maxLength: 3 }) : one];
    }),
  );
  return fc.record(fields, { requiredKeys: [] });
}
