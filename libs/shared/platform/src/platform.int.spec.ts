import { spawnSync } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module, Query } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { credentials, loadPackageDefinition, type Client } from '@grpc/grpc-js';
import { signDevToken } from '@trainyard/infra';
import { callUnary, createTestContext, startTestService, waitFor, type TestContext, type TestService } from '@trainyard/testing';
import { RequirePermission } from './auth/auth.decorators';
import type { ServiceDefinition } from './bootstrap';

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

  // No permission configured: deny by default.
  @Get('unguarded')
  unguarded() {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const probeService: ServiceDefinition = { service: 'planning', module: ProbeModule };

/** A TCP hop in front of PostgreSQL that the test can cut, to make the database unreachable. */
function postgresProxy(): Promise<{ url: (databaseUrl: string) => string; cut: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(5432, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: (databaseUrl) => databaseUrl.replace(/@[^/]+\//, `@127.0.0.1:${port}/`),
        cut: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    }),
  );
}

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
    fetch(`${service.httpUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('HTTP: 401 without a token or with a bad one, 403 for a role without the permission, 200 with it', async () => {
    expect((await get('/api/probe/write')).status).toBe(401);
    expect((await get('/api/probe/write', 'not-a-jwt')).status).toBe(401);
    expect((await get('/api/probe/write', await service.token('viewer'))).status).toBe(403);
    expect((await get('/api/probe/write', await service.token('release-manager'))).status).toBe(200);
  });

  it('HTTP: a route that names no permission is refused to everyone (deny by default)', async () => {
    expect((await get('/api/probe/unguarded', await service.token('admin'))).status).toBe(403);
  });

  it('HTTP: every service refuses text the database cannot store as a 400 problem+json naming the field', async () => {
    const token = await service.token('viewer');
    expect(await (await get('/api/probe/echo?text=caf%C3%A9', token)).json()).toEqual({ text: 'café' });
    const refused = await get('/api/probe/echo?text=a%00b', token);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ type: 'https://trainyard.dev/problems/validation-error', status: 400, field: 'text', instance: '/api/probe/echo' });
    expect((await get(`/api/probe/echo?text=${'x'.repeat(2_000)}`, token)).status).toBe(400);
    const unauthenticated = await get('/api/probe/write');
    expect(await unauthenticated.json()).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401 });
  });

  it('refuses an expired token, and one signed for another audience', async () => {
    const keyDir = join(tmpdir(), 'trainyard-test-keys');
    const expired = await signDevToken({ roles: ['admin'], expiresIn: '-1m', keyDir });
    const otherAudience = await signDevToken({ roles: ['admin'], audience: 'someone-else', keyDir });
    expect((await get('/api/probe/write', expired)).status).toBe(401);
    expect((await get('/api/probe/write', otherAudience)).status).toBe(401);
  });

  it('gRPC: UNAUTHENTICATED without a token, PERMISSION_DENIED for a role without audit:read', async () => {
    const client = service.client('trainyard.audit.v1.AuditTrailService');
    await expect(callUnary(client, 'ReadAll', {})).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(callUnary(client, 'ReadAll', {}, await service.token('viewer'))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    await expect(callUnary(client, 'ReadAll', { pageSize: 5000 }, await service.token('auditor'))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('gRPC server reflection lists the audit trail service', async () => {
    const reflectionProto = join(require.resolve('@grpc/reflection/package.json'), '..', 'build/proto/grpc/reflection/v1/reflection.proto');
    const definition = loadSync(reflectionProto, { keepCase: true, defaults: true });
    const grpcRoot = loadPackageDefinition(definition) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => Client } } };
    };
    const client = new grpcRoot.grpc.reflection.v1.ServerReflection(service.grpcAddress, credentials.createInsecure()) as Client & {
      ServerReflectionInfo: () => NodeJS.ReadWriteStream & { write: (m: unknown) => void; end: () => void };
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
    const proxied = await startTestService(probeService, ctx, { DATABASE_URL: proxy.url(ctx.databaseUrl) });
    try {
      expect((await fetch(`${proxied.httpUrl}/readyz`)).status).toBe(200);
      expect(await proxied.health()).toBe('SERVING');
      await proxy.cut();
      const response = await fetch(`${proxied.httpUrl}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'not ready', checks: { postgres: { ok: false }, kafka: { ok: true } } });
      await waitFor(async () => (await proxied.health()) === 'NOT_SERVING', { timeoutMs: 10_000, description: 'health NOT_SERVING' });
      expect((await fetch(`${proxied.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await proxied.stop().catch(() => undefined);
    }
  });

  it('a bad configuration value stops the process at once with one line naming the variable', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    const result = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'apps', 'planning', 'src', 'main.ts')], {
      env: { ...process.env, GRPC_PORT: 'not-a-port', KAFKA_BROKERS: 'nowhere' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n').filter((line) => !line.includes('Warning'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[planning\] invalid configuration: GRPC_PORT: .*\(got "not-a-port"\); KAFKA_BROKERS: expected host:port/);
  });
});
