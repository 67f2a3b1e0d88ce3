import { randomBytes, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import {
  callUnary,
  createTestContext,
  refusal,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { SECRET_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

// The executors' secrets through the booted service: operators put, list and delete over gRPC
// and REST; no answer ever holds a value; other roles are refused; hostile input is
// INVALID_ARGUMENT / 400 naming the field, with nothing written.
let ctx: TestContext;
let service: TestService;
let client: GrpcTestClient;
let operator: string;
let restorePlanningTopic = (): void => undefined;
const run = randomBytes(3).toString('hex');

const call = <T>(method: string, request: unknown, token: string, correlationId = randomUUID()) =>
  callUnary<T>(client, method, request, token, correlationId);
const eventsOf = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);

beforeAll(async () => {
  ctx = await createTestContext('sched_secrets_e2e');
  restorePlanningTopic = await isolatePlanningTopic(ctx);
  process.env['SCHEDULING_SECRETS_KEK'] = randomBytes(32).toString('base64');
  process.env['SCHEDULING_SECRETS_KEK_ID'] = 'kek-e2e';
  service = await startTestService(schedulingService, ctx);
  client = service.client(SECRET_GRPC_SERVICE);
  operator = await service.token('operator');
});
afterAll(async () => {
  delete process.env['SCHEDULING_SECRETS_KEK'];
  delete process.env['SCHEDULING_SECRETS_KEK_ID'];
  restorePlanningTopic();
  await service?.stop();
  await ctx?.dispose();
});

describe('SecretService (gRPC)', () => {
  it('puts, rotates, lists and deletes; no answer holds the value', async () => {
    const name = `ledger/token-${run}`;
    const value = `v-${randomBytes(16).toString('hex')}`;
    const put = await call<{ secret: Record<string, unknown> }>(
      'putSecret',
      { name, value, reason: 'initial' },
      operator,
    );
    expect(put.secret).toMatchObject({ name, version: 1, kekId: 'kek-e2e', rotatedAt: '' });
    const rotated = await call<{ secret: Record<string, unknown> }>(
      'putSecret',
      { name, value: `${value}-2` },
      operator,
    );
    expect(rotated.secret).toMatchObject({ version: 2 });
    const listed = await call<{ items: Record<string, unknown>[] }>('listSecrets', {}, operator);
    expect(listed.items.find((s) => s.name === name)).toMatchObject({ version: 2 });
    expect(JSON.stringify([put, rotated, listed])).not.toContain(value);
    const { rows } = await ctx.pool.query<{ data: string }>(
      `SELECT data::text AS data FROM events WHERE stream_id = $1`,
      [`secret-${name}`],
    );
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.data).join()).not.toContain(value);
    expect(await call('deleteSecret', { name }, operator)).toEqual({ deleted: true });
    expect(await call('deleteSecret', { name }, operator)).toEqual({ deleted: false });
  });

  it('refuses roles without the secrets permissions', async () => {
    for (const role of ['viewer', 'engineer', 'release-manager']) {
      const token = await service.token(role);
      expect((await refusal(call('listSecrets', {}, token))).code).toBe(status.PERMISSION_DENIED);
      expect((await refusal(call('putSecret', { name: `x-${run}`, value: 'v' }, token))).code).toBe(
        status.PERMISSION_DENIED,
      );
    }
  });

  it('answers NOT_FOUND for deleting a secret never set', async () => {
    expect((await refusal(call('deleteSecret', { name: `never-${run}` }, operator))).code).toBe(
      status.NOT_FOUND,
    );
  });

  it('refuses hostile names and values as INVALID_ARGUMENT naming the field, writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            name: fc.oneof(
              fc
                .string({ maxLength: 30 })
                .filter((s) => !/^[a-z0-9]+(?:[-_./][a-z0-9]+)*$/.test(s)),
              fc.constantFrom(
                '../x',
                'A',
                "a'; drop table events; --",
                'a\u0000b',
                'x'.repeat(300),
              ),
            ),
            value: fc.constant('v'),
          }),
          fc.record({
            name: fc.constant(`ok-${run}`),
            // (A lone surrogate is no test here: the client encodes it as U+FFFD, a valid value.)
            value: fc.constantFrom('', 'a\u0000b', 'x'.repeat(2_000)),
          }),
        ),
        async (request) => {
          const correlationId = randomUUID();
          const error = await refusal(call('putSecret', request, operator, correlationId));
          expect(error.code).toBe(status.INVALID_ARGUMENT);
          const field = String(error.metadata.get('trainyard-field')[0]);
          expect(['name', 'value']).toContain(field);
          expect(await eventsOf(correlationId)).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
    const { rows } = await ctx.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM scheduling_secrets WHERE name = $1',
      [`ok-${run}`],
    );
    expect(rows[0]?.n).toBe('0');
  });
});

describe('/api/scheduling/secrets (REST)', () => {
  const rest = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${service.httpUrl}/api/scheduling/secrets${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${init.token ?? operator}`,
      },
    });

  it('puts (URL-encoded name), lists and deletes; no answer holds the value', async () => {
    const name = `team/rest-${run}`;
    const value = `rv-${randomBytes(16).toString('hex')}`;
    const put = await rest(`/${encodeURIComponent(name)}`, {
      method: 'PUT',
      body: JSON.stringify({ value, reason: 'rest' }),
    });
    expect(put.status).toBe(200);
    const putBody = await put.text();
    expect(JSON.parse(putBody)).toMatchObject({ name, version: 1, kekId: 'kek-e2e' });
    const list = await (await rest('')).text();
    const items = (JSON.parse(list) as { items: { name: string }[] }).items;
    expect(items.some((s) => s.name === name)).toBe(true);
    expect(putBody + list).not.toContain(value);
    const deleted = await rest(`/${encodeURIComponent(name)}?reason=done`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ deleted: true });
  });

  it('refuses bad input with a 400 naming the field, other roles with 403', async () => {
    for (const [path, body, field] of [
      ['/Bad%20Name', { value: 'v' }, 'name'],
      [`/ok-${run}`, { value: '' }, 'value'],
      [`/ok-${run}`, { value: 3 }, 'value'],
      [`/ok-${run}`, { value: 'v', extra: 1 }, 'extra'],
      [`/ok-${run}`, ['v'], 'body'],
    ] as const) {
      const response = await rest(path, { method: 'PUT', body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ status: 400, field });
    }
    const viewer = await service.token('viewer');
    expect((await rest('', { token: viewer })).status).toBe(403);
  });
});
