import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createEventStore, type PostgresEventStore } from '@trainyard/event-store';
import { createKafkaMessageBus, type MessageBus } from '@trainyard/messaging';
import { parseUrlAllowlist } from '@trainyard/scheduling-domain';
import { createTestContext, type TestContext } from '@trainyard/testing';
import type { TaskExecution } from '../runtime-ports';
import type { ExecutorsConfig } from './executors.config';
import { SecretsService } from '../secrets/secrets.service';
import { TaskExecutors } from './task-executors';

// TaskExecutors (the runtime's TaskExecutorPort) sends each kind to its executor: a real
// loopback server, a real program, the real broker. No secret is referenced: the secrets service
// (without a KEK) is asked for none.
let ctx: TestContext;
let store: PostgresEventStore;
let bus: MessageBus;
let server: Server;
let base: string;
let hits = 0;
const silent = { log: () => undefined, warn: () => undefined };

beforeAll(async () => {
  ctx = await createTestContext('sched_exec_dispatch');
  store = createEventStore(ctx.pool, ctx.schema);
  bus = createKafkaMessageBus({ brokers: ctx.brokers, clientId: ctx.groupId('dispatch') });
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.close();
  await ctx?.dispose();
});

const execution: TaskExecution = {
  runId: 'run-d',
  job: 'ops.dispatch.check',
  taskId: 't',
  attempt: 1,
  taskKey: `ops.dispatch.check/run-d/t-${randomBytes(3).toString('hex')}`,
  environment: 'dev',
  parameters: {},
  fencingTokens: {},
  timeoutMs: 20_000,
  signal: new AbortController().signal,
  heartbeat: () => undefined,
};

it('dispatches http, command and kafka executors to their implementations', async () => {
  const config: ExecutorsConfig = {
    http: { allowlist: parseUrlAllowlist(base), maxResponseBytes: 1024, maxRedirects: 1 },
    command: {
      programs: new Map([['false', '/bin/false']]),
      memoryBytes: 256 * 1024 * 1024,
      maxOutputBytes: 1024,
      cwd: '/',
    },
    kafka: { topicPrefixes: [ctx.topic('')] },
  };
  const secrets = new SecretsService(ctx.pool, { DATABASE_SCHEMA: ctx.schema }, store, {
    ring: undefined,
  });
  const executors = new TaskExecutors(config, secrets, bus, silent);
  try {
    expect(
      await executors.execute({ kind: 'http', method: 'POST', url: `${base}/x` }, execution),
    ).toMatchObject({ outcome: 'succeeded', httpStatus: 204 });
    expect(hits).toBe(1);
    expect(
      await executors.execute({ kind: 'command', program: 'false', args: [] }, execution),
    ).toMatchObject({ outcome: 'failed', exitCode: 1 });
    const topic = ctx.topic('dispatch');
    await bus.admin().ensureTopics([{ topic, partitions: 1 }]);
    expect(await executors.execute({ kind: 'kafka', topic }, execution)).toMatchObject({
      outcome: 'succeeded',
    });
  } finally {
    await executors.beforeApplicationShutdown();
  }
});
