import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import nacl from 'tweetnacl';
import { createEventStore, verifyConsistency, verifyInclusion } from '@trainyard/event-store';
import { Body, Controller, Get, HttpCode, Module, Post, Query, Req } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { credentials, loadPackageDefinition, type Client } from '@grpc/grpc-js';
import { signDevToken } from '@trainyard/infra';
import {
  callUnary,
  createTestContext,
  postgresProxy,
  startTestService,
  waitFor,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { RequirePermission } from './auth/auth.decorators';
import { ConsumesBody } from './input/request-body';
import type { ServiceDefinition } from './service-definition';
import { auditedTestService } from './audit/audited-service.fixture';

@Controller('api/probe')
class ProbeController {
  @Get('write')
  @RequirePermission('planning:write')
  write() {
    return { ok: true };
  }

  @Get('echo')
  @RequirePermission('planning:read')
  echo(@Query('text') text?: string) {
    return { text };
  }

  @Post('echo')
  @HttpCode(200)
  @RequirePermission('planning:read')
  echoBody(@Body() body: unknown) {
    return { body };
  }

  @Post('calendar')
  @HttpCode(200)
  @RequirePermission('planning:read')
  @ConsumesBody('text/calendar')
  async calendar(@Req() request: AsyncIterable<Buffer>) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk);
    return { bytes: Buffer.concat(chunks).length };
  }

  // No permission configured: deny by default.
  @Get('unguarded')
  unguarded() {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const probeService: ServiceDefinition = { service: 'planning', module: ProbeModule };

describe('platform: auth, readiness, reflection, configuration', () => {
  let ctx: TestContext;
  let service: TestService;
  beforeAll(async () => {
    ctx = await createTestContext('platform');
    service = await startTestService(probeService, ctx);
  });
  afterAll(async () => {
    await service.stop();
    await ctx.dispose();
  });

  const get = (path: string, token?: string) =>
    fetch(`${service.httpUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('HTTP: 401 without a token or with a bad one, 403 for a role without the permission, 200 with it', async () => {
    expect((await get('/api/probe/write')).status).toBe(401);
    expect((await get('/api/probe/write', 'not-a-jwt')).status).toBe(401);
    expect((await get('/api/probe/write', await service.token('viewer'))).status).toBe(403);
    expect((await get('/api/probe/write', await service.token('release-manager'))).status).toBe(
      200,
    );
  });

  it('HTTP: a route that names no permission is refused to everyone (deny by default)', async () => {
    expect((await get('/api/probe/unguarded', await service.token('admin'))).status).toBe(403);
  });

  it('HTTP: every service refuses text the database cannot store as a 400 problem+json naming the field', async () => {
    const token = await service.token('viewer');
    expect(await (await get('/api/probe/echo?text=caf%C3%A9', token)).json()).toEqual({
      text: 'café',
    });
    const refused = await get('/api/probe/echo?text=a%00b', token);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({
      type: 'https://trainyard.dev/problems/validation-error',
      status: 400,
      field: 'text',
      instance: '/api/probe/echo',
    });
    expect((await get(`/api/probe/echo?text=${'x'.repeat(2_000)}`, token)).status).toBe(400);
    const unauthenticated = await get('/api/probe/write');
    expect(await unauthenticated.json()).toMatchObject({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
    });
  });

  // The problem body used to name only the first bad field.
  it('HTTP: a request with 3 unstorable fields is one 400 problem naming all 3 in `violations`', async () => {
    const token = await service.token('viewer');
    const refused = await get(
      `/api/probe/echo?text=a%00&page=%00&sort=${'x'.repeat(2_000)}`,
      token,
    );
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      type: 'https://trainyard.dev/problems/validation-error',
      status: 400,
      field: 'text',
      detail: expect.stringMatching(/^3 fields are invalid: text: /),
      violations: [
        { field: 'text', detail: expect.stringMatching(/NUL/) },
        { field: 'page', detail: expect.stringMatching(/NUL/) },
        { field: 'sort', detail: expect.stringMatching(/at most 1024 bytes/) },
      ],
    });
  });

  const post = async (path: string, type: string | undefined, body: string | Uint8Array) =>
    fetch(`${service.httpUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await service.token('viewer')}`,
        ...(type ? { 'content-type': type } : {}),
      },
      body,
    });

  // A body that is not JSON used to be a 400 with the parser's bare message, or (text/plain, a
  // form) reach the route as {} and fail there for a reason the client could not see.
  it('HTTP: a JSON body that does not parse is a 400 malformed-json problem saying where', async () => {
    const refused = await post('/api/probe/echo', 'application/json', '{"a":');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toEqual({
      type: 'https://trainyard.dev/problems/malformed-json',
      title: 'Malformed JSON body',
      status: 400,
      detail:
        'The request body is not valid JSON: unexpected end of input at position 5 (line 1, column 6).',
      instance: '/api/probe/echo',
    });
    const second = await post('/api/probe/echo', 'application/json', '{\n  "a": 1,\n  b: 2\n}');
    expect((await second.json()) as { detail: string }).toMatchObject({
      detail: expect.stringMatching(/at position 14 \(line 3, column 3\)\.$/),
    });
    expect(await (await post('/api/probe/echo', 'application/json', '{"a":1}')).json()).toEqual({
      body: { a: 1 },
    });
    expect((await post('/api/probe/echo', 'application/merge-patch+json', '{"a":1}')).status).toBe(
      200,
    );
  });

  it('HTTP: a body of a type the route does not read is a 415 problem naming the types it reads', async () => {
    for (const [type, body] of [
      ['text/plain', '{"a":1}'],
      ['application/x-www-form-urlencoded', 'a=1'],
      // Bytes: fetch sets no Content-Type of its own (a string would be text/plain).
      [undefined, new TextEncoder().encode('raw bytes')],
    ] as const) {
      const refused = await post('/api/probe/echo', type, body);
      expect(refused.status).toBe(415);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await refused.json()).toEqual({
        type: 'about:blank',
        title: 'Unsupported Media Type',
        status: 415,
        detail: `${type ? `Content-Type ${type}` : 'a body without a Content-Type'} is not accepted by POST /api/probe/echo; send application/json`,
        instance: '/api/probe/echo',
      });
    }
    // A route that reads another type says so, and takes it.
    const json = await post('/api/probe/calendar', 'application/json', '{}');
    expect(json.status).toBe(415);
    expect(((await json.json()) as { detail: string }).detail).toMatch(/send text\/calendar$/);
    expect(
      await (await post('/api/probe/calendar', 'text/calendar', 'BEGIN:VCALENDAR')).json(),
    ).toEqual({
      bytes: 15,
    });
    // No body: nothing to refuse.
    expect((await post('/api/probe/echo', 'text/plain', '')).status).toBe(200);
  });

  it('refuses an expired token, and one signed for another audience', async () => {
    const keyDir = join(tmpdir(), 'trainyard-test-keys');
    const expired = await signDevToken({ roles: ['admin'], expiresIn: '-1m', keyDir });
    const otherAudience = await signDevToken({
      roles: ['admin'],
      audience: 'someone-else',
      keyDir,
    });
    expect((await get('/api/probe/write', expired)).status).toBe(401);
    expect((await get('/api/probe/write', otherAudience)).status).toBe(401);
  });

  it('gRPC: UNAUTHENTICATED without a token, PERMISSION_DENIED for a role without audit:read', async () => {
    const client = service.client('trainyard.audit.v1.AuditTrailService');
    await expect(callUnary(client, 'ReadAll', {})).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    await expect(
      callUnary(client, 'ReadAll', {}, await service.token('viewer')),
    ).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    await expect(
      callUnary(client, 'ReadAll', { pageSize: 5000 }, await service.token('auditor')),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('gRPC server reflection lists the audit trail service', async () => {
    const reflectionProto = join(
      require.resolve('@grpc/reflection/package.json'),
      '..',
      'build/proto/grpc/reflection/v1/reflection.proto',
    );
    const definition = loadSync(reflectionProto, { keepCase: true, defaults: true });
    const grpcRoot = loadPackageDefinition(definition) as unknown as {
      grpc: {
        reflection: {
          v1: {
            ServerReflection: new (
              a: string,
              c: ReturnType<typeof credentials.createInsecure>,
            ) => Client;
          };
        };
      };
    };
    const client = new grpcRoot.grpc.reflection.v1.ServerReflection(
      service.grpcAddress,
      credentials.createInsecure(),
    ) as Client & {
      ServerReflectionInfo: () => NodeJS.ReadWriteStream & {
        write: (m: unknown) => void;
        end: () => void;
      };
    };
    const call = client.ServerReflectionInfo();
    const names = await new Promise<string[]>((resolve, reject) => {
      call.on('data', (message: { list_services_response?: { service: { name: string }[] } }) =>
        resolve(message.list_services_response?.service.map((s) => s.name) ?? []),
      );
      call.on('error', reject);
      call.write({ list_services: '' });
    });
    call.end();
    client.close();
    expect(names).toContain('trainyard.audit.v1.AuditTrailService');
  });

  it('/readyz turns 503 and gRPC health NOT_SERVING when PostgreSQL becomes unreachable', async () => {
    const proxy = await postgresProxy();
    const proxied = await startTestService(probeService, ctx, {
      DATABASE_URL: proxy.url(ctx.databaseUrl),
    });
    try {
      expect((await fetch(`${proxied.httpUrl}/readyz`)).status).toBe(200);
      expect(await proxied.health()).toBe('SERVING');
      await proxy.cut();
      const response = await fetch(`${proxied.httpUrl}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        status: 'not ready',
        checks: { postgres: { ok: false }, kafka: { ok: true } },
      });
      await waitFor(async () => (await proxied.health()) === 'NOT_SERVING', {
        timeoutMs: 10_000,
        description: 'health NOT_SERVING',
      });
      expect((await fetch(`${proxied.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await proxied.stop().catch(() => undefined);
    }
  });

  it('a bad configuration value stops the process at once with one line naming the variable', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    const result = spawnSync(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'apps', 'planning', 'src', 'main.ts')],
      {
        env: { ...process.env, GRPC_PORT: 'not-a-port', KAFKA_BROKERS: 'nowhere' },
        encoding: 'utf8',
        // tsx compiling the service on a loaded 2-core machine took 45 s (the check itself is instant).
        timeout: 150_000,
      },
    );
    expect(result.status).toBe(78);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((line) => !line.includes('Warning'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[planning\] invalid configuration: GRPC_PORT: .*\(got "not-a-port"\); KAFKA_BROKERS: expected host:port/,
    );
  }, 180_000);
});

describe('platform: the audit trail as a transparency log (checkpoints and RFC 6962 proofs over gRPC)', () => {
  const audited = auditedTestService(probeService, 'platform_audit', { publishCheckpoints: true });

  async function append(count: number): Promise<void> {
    const store = createEventStore(audited.ctx.pool, audited.ctx.schema, {
      crossProcessSignal: false,
    });
    const events = Array.from({ length: count }, (_, i) => ({
      type: 'ProbeRecorded',
      data: { i },
      metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'user:test' },
    }));
    await store.append(`probe-${randomUUID()}`, events);
    await store.close();
  }

  interface Checkpoint {
    checkpoint: string;
    origin: string;
    treeSize: string;
    rootHash: Buffer;
    verifierKey: string;
  }

  /** Independent check of the C2SP signed note with tweetnacl, from the verifier key's text alone. */
  function expectSignedNote(response: Checkpoint): void {
    const [name, keyIdHex, keyBase64] = [
      response.verifierKey.slice(0, response.verifierKey.indexOf('+')),
      ...response.verifierKey.slice(response.verifierKey.indexOf('+') + 1).split(/\+(.*)/s, 2),
    ];
    expect(name).toBe(audited.origin);
    const key = Buffer.from(keyBase64!, 'base64');
    expect(key[0]).toBe(1);
    const keyId = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${name}\n`), key]))
      .digest()
      .subarray(0, 4);
    expect(keyId.toString('hex')).toBe(keyIdHex);
    const [body, signatures] = response.checkpoint.split('\n\n');
    expect(body).toBe(
      `${audited.origin}\n${response.treeSize}\n${response.rootHash.toString('base64')}`,
    );
    const match = /^\u2014 (\S+) (\S+)\n$/.exec(signatures!);
    expect(match?.[1]).toBe(name);
    const blob = Buffer.from(match![2]!, 'base64');
    expect(blob.subarray(0, 4)).toEqual(keyId);
    expect(
      nacl.sign.detached.verify(Buffer.from(`${body}\n`), blob.subarray(4), key.subarray(1)),
    ).toBe(true);
  }

  it('signs checkpoints on demand, publishes them to a file directory and to Kafka, and proves inclusion and consistency', async () => {
    const client = audited.service.client('trainyard.audit.v1.AuditTrailService');
    const token = await audited.service.token('auditor');
    // Sealing stops at the commit frontier, which another test's open transaction in this database may hold back.
    const signedAt = async (size: string): Promise<Checkpoint> => {
      let checkpoint: Checkpoint | undefined;
      await waitFor(
        async () =>
          (checkpoint = await callUnary<Checkpoint>(
            client,
            'GetCheckpoint',
            { refresh: true },
            token,
          )).treeSize === size,
        {
          description: `a checkpoint of ${size} events`,
        },
      );
      return checkpoint!;
    };
    await append(2);
    const early = await signedAt('2');
    expectSignedNote(early);
    await append(3);
    const late = await signedAt('5');
    expectSignedNote(late);
    expect(await callUnary<Checkpoint>(client, 'GetCheckpoint', {}, token)).toEqual(late);

    // Published outside the database.
    expect(
      readFileSync(join(audited.dir, 'checkpoints', `${'5'.padStart(20, '0')}.checkpoint`), 'utf8'),
    ).toBe(late.checkpoint);
    expect(readFileSync(join(audited.dir, 'checkpoints', 'latest.checkpoint'), 'utf8')).toBe(
      late.checkpoint,
    );
    expect(existsSync(join(audited.dir, 'key.pem.vkey'))).toBe(true);
    const seen = new Set<string>();
    const kafka = new Kafka({
      clientId: 'audit-checkpoint-test',
      brokers: audited.ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `audit-checkpoint-test-${randomUUID()}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: 'trainyard.audit.checkpoints.v1', fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          if (message.key?.toString() === audited.origin) seen.add(message.value!.toString());
          return Promise.resolve();
        },
      });
      await waitFor(() => seen.has(late.checkpoint) && seen.has(early.checkpoint), {
        timeoutMs: 30_000,
        description: 'checkpoints on Kafka',
      });
    } finally {
      await consumer.disconnect();
    }

    for (let leaf = 0; leaf < 5; leaf++) {
      const proof = await callUnary<{
        leafIndex: string;
        treeSize: string;
        rootHash: Buffer;
        leafHash: Buffer;
        leafData: Buffer;
        auditPath: Buffer[];
        event: { type: string };
      }>(client, 'GetInclusionProof', { leafIndex: String(leaf), treeSize: '5' }, token);
      expect(proof.event.type).toBe('ProbeRecorded');
      expect(proof.rootHash).toEqual(late.rootHash);
      expect(
        createHash('sha256')
          .update(Buffer.from([0]))
          .update(proof.leafData)
          .digest(),
      ).toEqual(proof.leafHash);
      expect(verifyInclusion(proof.leafHash, leaf, 5, proof.auditPath, late.rootHash)).toBe(true);
    }
    const consistency = await callUnary<{
      fromRootHash: Buffer;
      toRootHash: Buffer;
      proof: Buffer[];
    }>(client, 'GetConsistencyProof', { fromSize: '2', toSize: '5' }, token);
    expect(consistency.fromRootHash).toEqual(early.rootHash);
    expect(verifyConsistency(2, 5, early.rootHash, late.rootHash, consistency.proof)).toBe(true);

    expect(await callUnary(client, 'VerifyChain', {}, token)).toMatchObject({
      intact: true,
      checked: '5',
    });
    await expect(
      callUnary(client, 'GetInclusionProof', { leafIndex: '0', treeSize: '99' }, token),
    ).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    await expect(
      callUnary(client, 'GetConsistencyProof', { fromSize: 'two', toSize: '5' }, token),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(
      callUnary(client, 'GetCheckpoint', {}, await audited.service.token('viewer')),
    ).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  });
});
