import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { ensureDevKeys, signDevToken } from '@trainyard/infra';
import {
  createTestContext,
  startTestService,
  waitFor,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { RequirePermission } from '../auth/auth.decorators';
import type { ServiceDefinition } from '../service-definition';
import type { AccessModel } from './access-model';
import { toAccessModelMessage } from './access-model.message';
import { AccessModelSubscriber } from './access-model.subscriber';

// A service's guard authorises by the access model compliance publishes on the compacted topic:
// it picks a change up from the real broker, refuses and permits accordingly, ignores an older
// or malformed model, and after a restart with the broker unreachable still authorises by the
// last model it kept. A service that never received one keeps the built-in mapping. Each process
// reads with a group of its own, named after service, host and process, deleted at shutdown.

@Controller('api/probe')
class ProbeController {
  @Get('read')
  @RequirePermission('planning:read')
  read() {
    return { ok: true };
  }

  @Get('write')
  @RequirePermission('planning:write')
  write() {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const probeService: ServiceDefinition = { service: 'planning', module: ProbeModule };
const KEY_DIR = join(tmpdir(), 'trainyard-test-keys');
const token = (subject: string, ...roles: string[]) =>
  signDevToken({ roles, subject, keyDir: KEY_DIR });

const model = (version: number, extra: Partial<AccessModel> = {}): AccessModel => ({
  modelId: 'default',
  version,
  roles: [{ name: 'viewer', description: 'no reading', privileged: false, permissions: [] }],
  grants: [{ subject: 'dana', roles: ['release-manager'] }],
  publishedAt: '2031-05-04T09:00:00.000Z',
  ...extra,
});

describe('platform: the guard authorises by the published access model', () => {
  let ctx: TestContext;
  let topic: string;
  let producer: Producer;
  let admin: Admin;
  let service: TestService | undefined;

  const status = async (path: string, bearer: string) =>
    (
      await fetch(`${service!.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${bearer}` },
      })
    ).status;

  beforeAll(async () => {
    ensureDevKeys(KEY_DIR);
    ctx = await createTestContext('access_model');
    topic = ctx.topic('access-model');
    const kafka = new Kafka({
      clientId: 'access-model-spec',
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await service?.stop();
    await producer.disconnect();
    await admin.disconnect();
    await ctx.dispose();
  });

  const publish = (
    ...messages: { key: string | null; value: Buffer | null; headers: Record<string, string> }[]
  ) => producer.send({ topic, messages: messages.map((m) => ({ ...m })) });

  it('built-in until a model arrives; then the model; older and malformed models are ignored', async () => {
    service = await startTestService(probeService, ctx, { ACCESS_MODEL_TOPIC: topic });
    const viewer = await token('vic', 'viewer');
    const dana = await token('dana', 'viewer');
    expect(await status('/api/probe/read', viewer)).toBe(200);
    expect(await status('/api/probe/write', dana)).toBe(403);

    await publish(toAccessModelMessage(model(2)));
    await waitFor(async () => (await status('/api/probe/read', viewer)) === 403, {
      timeoutMs: 60_000,
      description: 'the guard to refuse viewer after model 2',
    });
    // dana's token says viewer only; the model grants release-manager on top.
    expect(await status('/api/probe/write', dana)).toBe(200);
    expect(await status('/api/probe/read', await token('rita', 'release-manager'))).toBe(200);

    // An older model, a malformed one and a foreign event, then model 3: only model 3 counts.
    const older = toAccessModelMessage(model(1, { roles: [], grants: [] }));
    const malformed = { ...toAccessModelMessage(model(9)), value: Buffer.from('{"version":"x"}') };
    const foreign = {
      ...toAccessModelMessage(model(10)),
      headers: {
        ...toAccessModelMessage(model(10)).headers,
        ce_type: 'dev.trainyard.compliance.Other.v1',
      },
    };
    await publish(older, malformed, foreign);
    await publish(
      toAccessModelMessage(
        model(3, {
          roles: [{ name: 'viewer', description: '', privileged: false, permissions: [] }],
          grants: [],
        }),
      ),
    );
    await waitFor(async () => (await status('/api/probe/write', dana)) === 403, {
      timeoutMs: 60_000,
      description: 'the grant to dana to be gone with model 3',
    });
    expect(await status('/api/probe/read', viewer)).toBe(403);
    // The copy is written just after the model is taken: poll for it.
    await waitFor(
      async () =>
        (await ctx.pool.query<{ version: string }>('SELECT version FROM access_model')).rows[0]
          ?.version === '3',
      { timeoutMs: 30_000, description: 'the kept copy to be version 3' },
    );
    const { rows } = await ctx.pool.query<{ version: string }>('SELECT version FROM access_model');
    expect(rows).toEqual([{ version: '3' }]);
  });

  // Regression: every process start used to leave a dead group with a random name on the broker.
  it("names the process's group after service, host and pid, and deletes it at a graceful shutdown", async () => {
    const { groupId } = service!.running.app.get(AccessModelSubscriber, { strict: false });
    const instance = groupId.split('.').at(-1) ?? '';
    expect(instance).toMatch(/^[0-9a-f]{6}$/);
    expect(groupId).toBe(
      `${service!.running.config.KAFKA_CLIENT_ID}.access-model.planning.${hostname()}.${process.pid}.${instance}`,
    );
    // The first test saw models arrive, so the group holds this process as a member now.
    const [before] = (await admin.describeGroups([groupId])).groups;
    expect(before?.state).toBe('Stable');

    await service!.stop();
    service = undefined;
    const { groups } = await admin.listGroups();
    expect(groups.map((g) => g.groupId)).not.toContain(groupId);
    const [after] = (await admin.describeGroups([groupId])).groups;
    expect(after?.state).toBe('Dead'); // what the broker answers for a group it does not know
  });

  it('after a restart with the broker unreachable, the kept model still applies', async () => {
    await service?.stop();
    service = undefined;
    service = await startTestService(probeService, ctx, {
      ACCESS_MODEL_TOPIC: topic,
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    expect(await status('/api/probe/read', await token('vic', 'viewer'))).toBe(403);
    expect(await status('/api/probe/read', await token('rita', 'release-manager'))).toBe(200);
  });

  it('a service that never received a model authorises by the built-in mapping', async () => {
    const fresh = await createTestContext('access_model_fresh');
    const other = await startTestService(probeService, fresh, {
      ACCESS_MODEL_TOPIC: fresh.topic('never-published'),
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    try {
      const response = await fetch(`${other.httpUrl}/api/probe/read`, {
        headers: { authorization: `Bearer ${await token('vic', 'viewer')}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await other.stop();
      await fresh.dispose();
    }
  });
});
