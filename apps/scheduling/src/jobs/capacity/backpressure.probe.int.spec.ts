import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { JobManifest } from '@trainyard/scheduling-domain';
import { testBrokers } from '@trainyard/testing';
import { BackpressureProbe, parseRetryAfter } from './backpressure.probe';

/** Against the real broker (a fresh topic and group with a known lag) and a loopback HTTP server. */
const manifest = (backpressure: JobManifest['backpressure']): JobManifest => ({
  name: 'payments.ledger.close',
  owner: 'payments',
  criticality: 'high',
  parameters: {},
  environments: { dev: {}, staging: {}, prod: {} },
  tasks: [],
  backpressure,
});

describe('backpressure: Kafka consumer-group lag', () => {
  const run = randomBytes(4).toString('hex');
  const topic = `test.backpressure.${run}`;
  const groupId = `test.backpressure.${run}.consumer`;
  const kafka = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING });
  let admin: Admin;
  let producer: Producer;
  const probes: BackpressureProbe[] = [];
  const probeWith = (options: ConstructorParameters<typeof BackpressureProbe>[0] = {}) => {
    const probe = new BackpressureProbe({ admin: kafka.admin(), ...options });
    probes.push(probe);
    return probe;
  };

  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })),
    });
    // The group consumed 2 of partition 0's 5 and 1 of partition 1's 5: lag 7.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 1, offset: '1' }] });
  });
  afterAll(async () => {
    for (const probe of probes) await probe.close();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('sums end minus committed offsets over the partitions', async () => {
    const probe = probeWith();
    expect(await probe.lagOf(groupId, topic)).toBe(7);
  });

  it('defers while the lag is above maxLag, and clears once the group catches up', async () => {
    let now = 0;
    const probe = probeWith({ cacheMs: 1_000, clock: () => now });
    const job = manifest([{ kind: 'kafka-lag', groupId, topic, maxLag: 5 }]);
    expect(await probe.holdBack(job)).toMatch(/lags 7 messages/);
    expect(
      await probe.holdBack(manifest([{ kind: 'kafka-lag', groupId, topic, maxLag: 7 }])),
    ).toBeUndefined();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '5' }] });
    expect(await probe.holdBack(job)).toMatch(/lags 7/); // cached: the downstream is not asked again
    now += 1_001;
    expect(await probe.holdBack(job)).toBeUndefined(); // lag 4
  });

  it('a group that never committed counts from the low watermark', async () => {
    const probe = probeWith();
    expect(await probe.lagOf(`${groupId}.never`, topic)).toBe(10);
  });
});

describe('backpressure: HTTP health endpoint', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; retryAfter?: string } = { status: 503, retryAfter: '2' };
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      if (answer.retryAfter) res.setHeader('retry-after', answer.retryAfter);
      res.statusCode = answer.status;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('defers on 503 until its Retry-After, asking once for a flood of runs, then clears on 200', async () => {
    let now = 1_000_000;
    const probe = new BackpressureProbe({ cacheMs: 500, clock: () => now });
    const job = manifest([{ kind: 'http-health', url }]);
    requests = 0;
    const verdicts = await Promise.all(Array.from({ length: 50 }, () => probe.holdBack(job)));
    expect(new Set(verdicts)).toEqual(new Set([`${url} answered 503, retry after 2 s.`]));
    expect(requests).toBe(1);
    answer = { status: 200 };
    now += 1_500; // past the cache, not past Retry-After: still deferred, not asked
    expect(await probe.holdBack(job)).toMatch(/answered 503/);
    expect(requests).toBe(1);
    now += 600;
    expect(await probe.holdBack(job)).toBeUndefined();
    expect(requests).toBe(2);
  });

  it('defers on 429 too, and when the endpoint is unreachable', async () => {
    const probe = new BackpressureProbe({ cacheMs: 0 });
    answer = { status: 429 };
    expect(await probe.holdBack(manifest([{ kind: 'http-health', url }]))).toBe(
      `${url} answered 429.`,
    );
    expect(
      await probe.holdBack(manifest([{ kind: 'http-health', url: 'http://127.0.0.1:1/health' }])),
    ).toMatch(/unreachable/);
  });

  it('Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2031-05-31T22:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 31 May 2031 22:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
