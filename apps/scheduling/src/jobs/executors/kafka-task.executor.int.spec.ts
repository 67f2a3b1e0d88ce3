import { randomBytes } from 'node:crypto';
import { createKafkaMessageBus, type ConsumedMessage, type MessageBus } from '@trainyard/messaging';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import type { TaskExecution } from '../runtime-ports';
import { KAFKA_TASK_HEADERS, KafkaTaskExecutor } from './kafka-task.executor';

// The Kafka executor against the real broker: one message on a topic unique to this run, key
// and payload rendered from parameters, the task key as idempotency-key; success once acked.
let ctx: TestContext;
let bus: MessageBus;
const logs: string[] = [];
const logger = { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };

beforeAll(async () => {
  ctx = await createTestContext('sched_exec_kafka');
  bus = createKafkaMessageBus({ brokers: ctx.brokers, clientId: ctx.groupId('client') });
});
afterAll(async () => {
  await ctx?.dispose();
});

const execution = (patch: Partial<TaskExecution> = {}): TaskExecution => ({
  runId: 'run-7',
  job: 'finance.ledger.close',
  taskId: 'notify',
  attempt: 1,
  taskKey: `finance.ledger.close/run-7/notify-${randomBytes(3).toString('hex')}`,
  environment: 'staging',
  parameters: { account: 'acc-"1"', batch: 250 },
  fencingTokens: { 'db:payments': 3 },
  timeoutMs: 20_000,
  signal: new AbortController().signal,
  heartbeat: () => undefined,
  ...patch,
});

describe('KafkaTaskExecutor', () => {
  it('produces one message, acknowledged, with the rendered key and payload and the task key as idempotency-key', async () => {
    const topic = ctx.topic('jobs-out');
    await bus.admin().ensureTopics([{ topic, partitions: 1 }]);
    const executor = new KafkaTaskExecutor({}, bus, logger);
    const run = execution();
    try {
      const result = await executor.execute(
        {
          kind: 'kafka',
          topic,
          key: 'account-{{account}}',
          payload: { account: '{{account}}', batch: '{{batch}}', note: 'batch {{batch}}' },
        },
        run,
      );
      expect(result.outcome).toBe('succeeded');
    } finally {
      await executor.close();
    }
    const seen: ConsumedMessage[] = [];
    const consumer = bus.consumer({ groupId: ctx.groupId('reader'), topics: [topic] });
    await consumer.run((message) => {
      seen.push(message);
      return Promise.resolve();
    });
    try {
      const [message] = await waitFor(() => (seen.length > 0 ? seen : undefined), {
        timeoutMs: 30_000,
        description: 'the produced message',
      });
      expect(message?.key).toBe('account-acc-"1"');
      expect(JSON.parse(message?.value?.toString('utf8') ?? '')).toEqual({
        account: 'acc-"1"',
        batch: 250,
        note: 'batch 250',
      });
      expect(message?.headers[KAFKA_TASK_HEADERS.idempotencyKey]).toBe(run.taskKey);
      expect(message?.headers[KAFKA_TASK_HEADERS.fencingTokens]).toBe('{"db:payments":3}');
      expect(message?.headers[KAFKA_TASK_HEADERS.attempt]).toBe('1');
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses the platform topics by default and topics outside the configured prefixes', async () => {
    const byDefault = new KafkaTaskExecutor({}, bus, logger);
    expect(
      await byDefault.execute(
        { kind: 'kafka', topic: 'trainyard.scheduling.events.v1' },
        execution(),
      ),
    ).toMatchObject({ outcome: 'failed' });
    const prefixed = new KafkaTaskExecutor({ topicPrefixes: ['finance.'] }, bus, logger);
    const refused = await prefixed.execute({ kind: 'kafka', topic: 'payments.x' }, execution());
    expect(refused.outcome).toBe('failed');
    expect(refused.detail).toMatch(/not allowed/);
  });

  it('times out when no broker acknowledges', async () => {
    const unreachable = createKafkaMessageBus({
      brokers: ['127.0.0.1:1'],
      clientId: ctx.groupId('unreachable'),
      connectionTimeoutMs: 200,
      // Retries outlast the task's 500 ms limit, yet end soon after (close waits for them).
      retry: { retries: 12, initialRetryTimeMs: 100, maxRetryTimeMs: 200 },
    });
    const executor = new KafkaTaskExecutor({}, unreachable, logger);
    try {
      const result = await executor.execute(
        { kind: 'kafka', topic: ctx.topic('never') },
        execution({ timeoutMs: 500 }),
      );
      expect(result.outcome).toBe('timed-out');
    } finally {
      await executor.close().catch(() => undefined);
    }
  });
});
