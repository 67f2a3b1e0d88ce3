import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  createEventStore,
  migrateEventStore,
  migrateSchema,
  type PostgresEventStore,
} from '@trainyard/event-store';
import type { HttpExecutor } from '@trainyard/scheduling-domain';
import { parseUrlAllowlist } from '@trainyard/scheduling-domain';
import { SCHEDULING_READ_MODEL_MIGRATIONS } from '@trainyard/scheduling-read-models';
import { createTestContext, type TestContext } from '@trainyard/testing';
import type { TaskExecution } from '../runtime-ports';
import { SecretsService } from '../secrets/secrets.service';
import { HttpTaskExecutor } from './http-task.executor';

// The HTTP executor against a real server on loopback, with secrets from the real store:
// status and payload checks, the time limit, the allowlist (redirects included), and a secret
// header that reaches the server but never the result or the log.
let ctx: TestContext;
let store: PostgresEventStore;
let secrets: SecretsService;
let server: Server;
let base: string;
let otherOrigin: string;
const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const token = `tok-${randomBytes(16).toString('hex')}`;
const secretName = `api-token-${randomBytes(4).toString('hex')}`;
const logs: string[] = [];
const logger = { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  ctx = await createTestContext('sched_exec_http');
  await migrateEventStore(ctx.pool, ctx.schema);
  await migrateSchema(ctx.pool, ctx.schema, [SCHEDULING_READ_MODEL_MIGRATIONS]);
  store = createEventStore(ctx.pool, ctx.schema);
  const kek = randomBytes(32);
  secrets = new SecretsService(ctx.pool, { DATABASE_SCHEMA: ctx.schema }, store, {
    ring: { current: { id: 'k1', key: kek }, byId: new Map([['k1', { id: 'k1', key: kek }]]) },
  });
  await secrets.put(secretName, token, {
    actor: 'ops',
    correlationId: 'c',
    now: new Date().toISOString(),
  });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = req.url ?? '/';
      received.push({ url, headers: req.headers, body });
      const path = url.split('?')[0] ?? '';
      if (path === '/api/ok') return json(res, 200, { status: 'ok', items: [{ id: 'a' }] });
      if (path.startsWith('/api/status/')) return json(res, Number(path.split('/')[3]), {});
      if (path === '/api/echo') return json(res, 200, { auth: req.headers.authorization ?? null });
      if (path === '/api/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('not json');
      }
      if (path === '/api/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Buffer.alloc(64 * 1024, 120));
      }
      if (path === '/api/slow') return; // never answers: the time limit must end it
      if (path === '/api/redirect-in') {
        res.writeHead(307, { location: '/api/ok' });
        return res.end();
      }
      if (path === '/api/redirect-out') {
        res.writeHead(302, { location: '/admin/secrets' });
        return res.end();
      }
      if (path === '/api/redirect-other-origin') {
        res.writeHead(301, { location: `${otherOrigin}/api/ok` });
        return res.end();
      }
      return json(res, 404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  otherOrigin = `http://localhost:${port}`; // the same server under another origin: not allowed
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.close();
  await ctx?.dispose();
});

const executorFor = (maxResponseBytes = 16 * 1024) =>
  new HttpTaskExecutor(
    { allowlist: parseUrlAllowlist(`${base}/api`), maxResponseBytes, maxRedirects: 3 },
    secrets,
    logger,
  );
let beats = 0;
const execution = (patch: Partial<TaskExecution> = {}): TaskExecution => ({
  runId: 'run-1',
  job: 'finance.ledger.close',
  taskId: 'settle',
  attempt: 1,
  taskKey: `finance.ledger.close/run-1/settle-${randomBytes(3).toString('hex')}`,
  environment: 'dev',
  parameters: { account: 'acc/1?x=y', token: `secret:${secretName}` },
  fencingTokens: { 'db:payments': 7 },
  timeoutMs: 10_000,
  signal: new AbortController().signal,
  heartbeat: () => void beats++,
  ...patch,
});
const http = (patch: Partial<HttpExecutor>): HttpExecutor => ({
  kind: 'http',
  method: 'GET',
  url: `${base}/api/ok`,
  ...patch,
});
const lastRequest = () => received.at(-1);

describe('HttpTaskExecutor', () => {
  it('succeeds on 2xx with the payload predicates holding; sends the task key, fencing tokens and encoded parameters', async () => {
    const run = execution();
    const result = await executorFor().execute(
      http({
        method: 'POST',
        url: `${base}/api/ok?account={{account}}`,
        body: { account: '{{account}}', n: 1 },
        expect: {
          json: [
            { path: '/status', equals: 'ok' },
            { path: '/items/0/id', oneOf: ['a'] },
          ],
        },
      }),
      run,
    );
    expect(result).toMatchObject({ outcome: 'succeeded', httpStatus: 200 });
    const request = lastRequest();
    expect(request?.url).toBe('/api/ok?account=acc%2F1%3Fx%3Dy');
    expect(JSON.parse(request?.body ?? '')).toEqual({ account: 'acc/1?x=y', n: 1 });
    expect(request?.headers['idempotency-key']).toBe(run.taskKey);
    expect(request?.headers['x-trainyard-fencing-tokens']).toBe('{"db:payments":7}');
  });

  it('fails on a status outside expect.statuses, and succeeds on one inside', async () => {
    expect(
      await executorFor().execute(http({ url: `${base}/api/status/503` }), execution()),
    ).toMatchObject({
      outcome: 'failed',
      httpStatus: 503,
    });
    expect(
      await executorFor().execute(
        http({ url: `${base}/api/status/409`, expect: { statuses: [200, 409] } }),
        execution(),
      ),
    ).toMatchObject({ outcome: 'succeeded', httpStatus: 409 });
  });

  it('fails when a payload predicate does not hold, or the body is not JSON, saying why', async () => {
    const wrong = await executorFor().execute(
      http({ expect: { json: [{ path: '/status', equals: 'done' }] } }),
      execution(),
    );
    expect(wrong.outcome).toBe('failed');
    expect(wrong.detail).toContain('/status is "ok", expected "done"');
    const text = await executorFor().execute(
      http({ url: `${base}/api/text`, expect: { json: [{ path: '/x', exists: true }] } }),
      execution(),
    );
    expect(text).toMatchObject({ outcome: 'failed', httpStatus: 200 });
    expect(text.detail).toContain('not JSON');
  });

  it('times out a server that never answers', async () => {
    const result = await executorFor().execute(
      http({ url: `${base}/api/slow` }),
      execution({ timeoutMs: 300 }),
    );
    expect(result.outcome).toBe('timed-out');
  });

  it('refuses a URL off the allowlist without sending anything', async () => {
    const before = received.length;
    for (const url of [`${base}/admin`, `${base}/apix`, `${otherOrigin}/api/ok`]) {
      const result = await executorFor().execute(http({ url }), execution());
      expect(result.outcome).toBe('failed');
      expect(result.detail).toMatch(/not on the HTTP allowlist/);
    }
    expect(received.length).toBe(before);
  });

  it('follows a redirect inside the allowlist and refuses one leaving it (path or origin)', async () => {
    expect(
      await executorFor().execute(http({ url: `${base}/api/redirect-in` }), execution()),
    ).toMatchObject({ outcome: 'succeeded', httpStatus: 200 });
    expect(lastRequest()?.url).toBe('/api/ok');

    const before = received.length;
    const out = await executorFor().execute(http({ url: `${base}/api/redirect-out` }), execution());
    expect(out).toMatchObject({ outcome: 'failed', httpStatus: 302 });
    expect(out.detail).toMatch(/redirect refused: .*\/admin\/secrets is not on the HTTP allowlist/);
    const other = await executorFor().execute(
      http({ url: `${base}/api/redirect-other-origin` }),
      execution(),
    );
    expect(other).toMatchObject({ outcome: 'failed', httpStatus: 301 });
    // Only the redirecting requests reached the server; the targets were never asked.
    expect(received.slice(before).map((r) => r.url)).toEqual([
      '/api/redirect-out',
      '/api/redirect-other-origin',
    ]);
  });

  it('refuses a response larger than the cap', async () => {
    const result = await executorFor(1024).execute(http({ url: `${base}/api/big` }), execution());
    expect(result.outcome).toBe('failed');
    expect(result.detail).toMatch(/larger than 1024 bytes/);
  });

  it('sends a secret header the server receives, but the secret is in neither the result nor the log', async () => {
    logs.length = 0;
    const result = await executorFor().execute(
      http({
        url: `${base}/api/echo`,
        headers: { Authorization: 'Bearer {{secret:' + secretName + '}}', 'X-Ref': '{{token}}' },
        // Fails on purpose, so the detail quotes the echoed header.
        expect: { json: [{ path: '/auth', equals: 'something else' }] },
      }),
      execution(),
    );
    const request = lastRequest();
    expect(request?.headers.authorization).toBe(`Bearer ${token}`);
    expect(request?.headers['x-ref']).toBe(token);
    expect(result.outcome).toBe('failed');
    expect(result.detail).toContain('[REDACTED]');
    expect(JSON.stringify(result)).not.toContain(token);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(token);
  });

  it('refuses a parameter that would inject a header line, sending nothing', async () => {
    const before = received.length;
    const result = await executorFor().execute(
      http({ headers: { 'X-Account': '{{account}}' } }),
      execution({ parameters: { account: 'a\r\nX-Admin: true' } }),
    );
    expect(result.outcome).toBe('failed');
    expect(result.detail).toMatch(/headers.X-Account renders a line break/);
    expect(received.length).toBe(before);
  });

  it('fails naming the field when a secret is not stored', async () => {
    const result = await executorFor().execute(
      http({ headers: { Authorization: '{{secret:never-stored}}' } }),
      execution(),
    );
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(result.detail).toMatch(/headers.Authorization refers to the secret never-stored/);
  });
});
