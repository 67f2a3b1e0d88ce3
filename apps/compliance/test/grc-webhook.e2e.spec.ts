import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKafkaMessageBus, type MessageBus, type MessageProducer } from '@trainyard/messaging';
import {
  createTestContext,
  startTestService,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { complianceService } from '../src/compliance.service';
import { isolatedTopicSettings } from './test-support/isolated-topics';

/**
 * The GRC feed end to end: a CloudEvent on the compliance topic (Kafka) goes through the inbox into
 * the delivery table, is POSTed to a loopback GRC tool signed per Standard Webhooks, dead-lettered
 * after its attempts, listed and replayed over REST under their permissions.
 */
const SECRET = `whsec_${Buffer.from('e2e-grc-secret-with-32-bytes-ok!').toString('base64')}`;

/** Written from the spec, independent of the service's code. */
function verifies(headers: IncomingMessage['headers'], body: string): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sig = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return sig.split(' ').some((entry) => {
    const given = Buffer.from(entry.slice(3), 'base64');
    return (
      entry.startsWith('v1,') &&
      given.length === expected.length &&
      timingSafeEqual(given, expected)
    );
  });
}

let ctx: TestContext;
let service: TestService;
let bus: MessageBus;
let producer: MessageProducer;
let server: Server;
let topic: string;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
let answers: number[] = [];
const envKeys = [
  'COMPLIANCE_WEBHOOK_SUBSCRIBERS',
  'COMPLIANCE_WEBHOOK_TOPIC',
  'COMPLIANCE_WEBHOOK_MAX_ATTEMPTS',
  'COMPLIANCE_WEBHOOK_INITIAL_BACKOFF_MS',
  'COMPLIANCE_WEBHOOK_MAX_BACKOFF_MS',
  'COMPLIANCE_WEBHOOK_POLL_MS',
];

const until = async (check: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const publish = (id: string) =>
  producer.send(topic, [
    {
      key: 'policy-e2e',
      value: Buffer.from(JSON.stringify({ policyId: 'policy-e2e', version: '1.0.0' })),
      headers: {
        ce_specversion: '1.0',
        ce_id: id,
        ce_source: '/trainyard/compliance',
        ce_type: 'dev.trainyard.compliance.PolicyBundleApproved.v1',
        ce_subject: 'policy-e2e',
        'content-type': 'application/json',
      },
    },
  ]);

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  ctx = await createTestContext('grc_webhook_e2e');
  topic = ctx.topic('compliance-events');
  bus = createKafkaMessageBus({ brokers: ctx.brokers, clientId: ctx.groupId('producer') });
  await bus.admin().ensureTopics([{ topic, partitions: 1 }]);
  producer = bus.producer();
  Object.assign(process.env, {
    COMPLIANCE_WEBHOOK_SUBSCRIBERS: JSON.stringify([{ id: 'grc', url, secret: SECRET }]),
    COMPLIANCE_WEBHOOK_TOPIC: topic,
    COMPLIANCE_WEBHOOK_MAX_ATTEMPTS: '2',
    COMPLIANCE_WEBHOOK_INITIAL_BACKOFF_MS: '10',
    COMPLIANCE_WEBHOOK_MAX_BACKOFF_MS: '20',
    COMPLIANCE_WEBHOOK_POLL_MS: '50',
  });
  service = await startTestService(complianceService, ctx, isolatedTopicSettings(ctx));
}, 60_000);

afterAll(async () => {
  await service?.stop();
  for (const key of envKeys) delete process.env[key];
  await producer?.disconnect();
  await ctx?.dispose();
  await new Promise((resolve) => server.close(resolve));
});

describe('GRC webhook (e2e)', () => {
  it('delivers a signed structured CloudEvent for an event of the compliance topic', async () => {
    await publish('e2e-evt-1');
    await until(() => received.length >= 1);
    const [first] = received;
    expect(first?.headers['content-type']).toBe('application/cloudevents+json');
    expect(verifies(first!.headers, first!.body)).toBe(true);
    expect(JSON.parse(first!.body)).toMatchObject({ id: 'e2e-evt-1', specversion: '1.0' });
  }, 40_000);

  it('dead-letters after the attempts; auditors list, only compliance:write replays', async () => {
    answers = [500, 500];
    const before = received.length;
    await publish('e2e-evt-2');
    const auditor = await service.token('auditor');
    const officer = await service.token('compliance-officer');
    const list = async () => {
      const response = await fetch(`${service.httpUrl}/api/compliance/webhook/dead-letters`, {
        headers: { authorization: `Bearer ${auditor}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { items: { deliveryId: string }[]; total: number };
    };
    await until(async () => (await list()).total === 1);
    expect(received.length).toBe(before + 2);
    const page = await list();
    expect(JSON.stringify(page)).not.toContain(SECRET.slice('whsec_'.length));
    const id = page.items[0]!.deliveryId;

    const replay = (token: string, deliveryId = id) =>
      fetch(`${service.httpUrl}/api/compliance/webhook/dead-letters/${deliveryId}/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await replay(auditor)).status).toBe(403);
    expect((await replay(officer, 'not-an-id')).status).toBe(400);
    expect((await replay(officer, `msg_${'0'.repeat(32)}`)).status).toBe(404);
    const accepted = await replay(officer);
    expect(accepted.status).toBe(202);
    await until(() => received.length === before + 3);
    expect(verifies(received.at(-1)!.headers, received.at(-1)!.body)).toBe(true);
    await until(async () => (await list()).total === 0);
    expect((await replay(officer)).status).toBe(409);
  }, 60_000);
});
