import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrateSchema } from '@trainyard/event-store';
import { COMPLIANCE_EVENTS_TOPIC } from '@trainyard/compliance-contracts';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from '@trainyard/compliance-read-models';
import { NotFoundError, RuleViolation } from '@trainyard/kernel';
import { parseCloudEventMessage } from '@trainyard/messaging';
import { createTestContext, type TestContext } from '@trainyard/testing';
import { webhookSubscriber, type WebhookSettings } from './webhook-config';
import { deliveryIdOf, WebhookDeliveryStore } from './webhook-delivery.store';
import { WebhookDispatcher } from './webhook-dispatcher';
import { structuredCloudEvent } from './structured-cloud-event';

// A real loopback HTTP server as the GRC tool, real PostgreSQL for the delivery table.
const SECRET = `whsec_${Buffer.from('grc-test-secret-of-32-bytes-long!').toString('base64')}`;

/**
 * An independent Standard Webhooks verifier written from the spec (standardwebhooks.com):
 * key = base64-decode(secret without "whsec_"); signed content = "<id>.<timestamp>.<raw body>";
 * the header holds space-separated "v1,<base64 HMAC-SHA256>"; constant-time compare; 5 min tolerance.
 */
function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  nowSeconds: number,
): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string')
    return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  return signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let ctx: TestContext;
let server: Server;
let baseUrl: string;
let received: Received[] = [];
let answers: number[] = [];

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

beforeAll(async () => {
  ctx = await createTestContext('grc_webhook');
  await migrateSchema(ctx.pool, ctx.schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/grc/hook`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.dispose();
});

beforeEach(async () => {
  received = [];
  answers = [];
  await ctx.pool.query('DELETE FROM webhook_deliveries');
});

const settings = (maxAttempts = 3): WebhookSettings => ({
  subscribers: [webhookSubscriber({ id: 'grc-tool', url: baseUrl, secret: SECRET })],
  maxAttempts,
  initialBackoffMs: 1,
  maxBackoffMs: 4,
  timeoutMs: 2_000,
  pollMs: 10,
  topic: COMPLIANCE_EVENTS_TOPIC,
});

const event = (id: string) =>
  parseCloudEventMessage({
    key: 'policy-1',
    value: Buffer.from(JSON.stringify({ policyId: 'policy-1', version: '3' })),
    headers: {
      ce_specversion: '1.0',
      ce_id: id,
      ce_source: '/trainyard/compliance',
      ce_type: 'dev.trainyard.compliance.PolicyBundleApproved.v1',
      ce_subject: 'policy-1',
      ce_time: '2026-12-01T10:00:00.000Z',
      'content-type': 'application/json',
      ce_correlationid: 'corr-1',
      ce_actor: 'alice',
    },
  });

async function enqueue(store: WebhookDeliveryStore, eventId: string): Promise<string> {
  const parsed = event(eventId);
  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    await store.enqueue(
      client,
      { id: parsed.id, type: parsed.type, body: structuredCloudEvent(parsed) },
      ['grc-tool'],
    );
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  return deliveryIdOf('grc-tool', eventId);
}

/** Drains until nothing is due any more (retries are due within a few ms). */
async function drain(dispatcher: WebhookDispatcher, store: WebhookDeliveryStore, id: string) {
  for (let i = 0; i < 200; i++) {
    await dispatcher.drainOnce();
    const row = await store.status(id);
    if (row?.status !== 'pending') return row;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return store.status(id);
}

describe('GRC webhook delivery', () => {
  it('POSTs a structured CloudEvent signed per Standard Webhooks, with a timestamp header', async () => {
    const store = new WebhookDeliveryStore(ctx.pool, ctx.schema);
    const logs: string[] = [];
    const dispatcher = new WebhookDispatcher({
      store,
      settings: settings(),
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    const id = await enqueue(store, 'evt-1');
    expect(await drain(dispatcher, store, id)).toEqual({ status: 'delivered', attempts: 1 });

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.headers['content-type']).toBe('application/cloudevents+json');
    expect(request?.headers['webhook-id']).toBe(id);
    expect(request?.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(
      verifyStandardWebhook(SECRET, request!.headers, request!.body, Math.floor(Date.now() / 1000)),
    ).toBe(true);
    // A different secret or a tampered body does not verify.
    const other = `whsec_${Buffer.from('another-secret-of-32-bytes-long!!').toString('base64')}`;
    expect(verifyStandardWebhook(other, request!.headers, request!.body, Date.now() / 1000)).toBe(
      false,
    );
    expect(
      verifyStandardWebhook(SECRET, request!.headers, `${request!.body} `, Date.now() / 1000),
    ).toBe(false);
    const document = JSON.parse(request!.body) as Record<string, unknown>;
    expect(document).toMatchObject({
      specversion: '1.0',
      id: 'evt-1',
      source: '/trainyard/compliance',
      type: 'dev.trainyard.compliance.PolicyBundleApproved.v1',
      subject: 'policy-1',
      datacontenttype: 'application/json',
      correlationid: 'corr-1',
      data: { policyId: 'policy-1', version: '3' },
    });
    expect(logs).toEqual([]);
  });

  it('retries on 500 with backoff, then succeeds; the webhook-id stays the same', async () => {
    const store = new WebhookDeliveryStore(ctx.pool, ctx.schema);
    const logs: string[] = [];
    const dispatcher = new WebhookDispatcher({
      store,
      settings: settings(5),
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    answers = [500, 500];
    const id = await enqueue(store, 'evt-2');
    expect(await drain(dispatcher, store, id)).toEqual({ status: 'delivered', attempts: 3 });
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([id, id, id]);
    for (const r of received)
      expect(verifyStandardWebhook(SECRET, r.headers, r.body, Date.now() / 1000)).toBe(true);
    expect(logs).toHaveLength(2);
    for (const line of logs) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(SECRET.slice('whsec_'.length));
      expect(line).not.toContain('v1,');
    }
  });

  it('dead-letters after the last attempt; a replay delivers it; no secret in the list', async () => {
    const store = new WebhookDeliveryStore(ctx.pool, ctx.schema);
    const dispatcher = new WebhookDispatcher({ store, settings: settings(3) });
    answers = [500, 503, 500];
    const id = await enqueue(store, 'evt-3');
    expect(await drain(dispatcher, store, id)).toEqual({ status: 'dead', attempts: 3 });
    expect(received).toHaveLength(3);

    const page = await store.deadLetters(1, 50);
    expect(page).toMatchObject({ page: 1, pageSize: 50, total: 1 });
    expect(page.items[0]).toMatchObject({
      deliveryId: id,
      subscriberId: 'grc-tool',
      eventId: 'evt-3',
      attempts: 3,
      lastStatus: 500,
      lastError: 'The subscriber answered HTTP 500.',
    });
    const listed = JSON.stringify(page);
    expect(listed).not.toContain(SECRET.slice('whsec_'.length));
    expect(listed).not.toContain(baseUrl);

    await expect(store.replay(id)).resolves.toEqual({ deliveryId: id, status: 'pending' });
    expect(await drain(dispatcher, store, id)).toEqual({ status: 'delivered', attempts: 1 });
    expect(received).toHaveLength(4);
    expect(
      verifyStandardWebhook(SECRET, received[3]!.headers, received[3]!.body, Date.now() / 1000),
    ).toBe(true);
    expect((await store.deadLetters(1, 50)).total).toBe(0);

    // Replaying what is not dead is refused; an unknown id is not found.
    await expect(store.replay(id)).rejects.toBeInstanceOf(RuleViolation);
    await expect(store.replay('msg_unknown')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('survives a restart: a pending delivery enqueued before is sent by a new dispatcher', async () => {
    const store = new WebhookDeliveryStore(ctx.pool, ctx.schema);
    const id = await enqueue(store, 'evt-4');
    // Enqueuing the same event twice (a redelivery past the inbox) changes nothing.
    await enqueue(store, 'evt-4');
    const fresh = new WebhookDispatcher({
      store: new WebhookDeliveryStore(ctx.pool, ctx.schema),
      settings: settings(),
    });
    fresh.start();
    for (let i = 0; i < 100 && received.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await fresh.stop();
    expect(received).toHaveLength(1);
    expect((await store.status(id))?.status).toBe('delivered');
  });

  it('dead-letters a connection refused after the last attempt, naming no secret', async () => {
    const refused = new WebhookDispatcher({
      store: new WebhookDeliveryStore(ctx.pool, ctx.schema),
      settings: {
        ...settings(2),
        subscribers: [
          webhookSubscriber({ id: 'grc-tool', url: 'http://127.0.0.1:1/nothing', secret: SECRET }),
        ],
      },
    });
    const store = new WebhookDeliveryStore(ctx.pool, ctx.schema);
    const id = await enqueue(store, 'evt-5');
    expect(await drain(refused, store, id)).toEqual({ status: 'dead', attempts: 2 });
    const [item] = (await store.deadLetters(1, 10)).items;
    expect(item?.lastError).toMatch(/^The request failed: /);
  });
});
