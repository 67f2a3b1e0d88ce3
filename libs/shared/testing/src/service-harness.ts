import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { ensureDevKeys, signDevToken } from '@trainyard/infra';
import { startService, type RunningService, type ServiceDefinition } from '@trainyard/platform';
import { trackRunning, trackStart } from './leftovers';
import type { TestContext } from './test-context';

/** The test signing key pair every test service trusts (created once). */
export const TEST_KEY_DIR = join(tmpdir(), 'trainyard-test-keys');

export interface TestService {
  readonly running: RunningService;
  readonly grpcAddress: string;
  readonly httpUrl: string;
  /** A bearer token for these roles, signed with the test key the service trusts. */
  token(...roles: string[]): Promise<string>;
  /** A generic grpc-js client for a fully-qualified service, e.g. `trainyard.audit.v1.AuditTrailService`. */
  client(service: string): GrpcTestClient;
  /** grpc.health.v1 Check; resolves the status name. */
  health(service?: string): Promise<string>;
  stop(): Promise<void>;
}

export type GrpcTestClient = Client &
  Record<
    string,
    (
      request: unknown,
      metadata: Metadata,
      callback: (error: ServiceError | null, response: unknown) => void,
    ) => void
  >;

/**
 * A service's environment in a test: the suite's own, then free ports on 127.0.0.1, the test
 * file's schema and broker, the test signing key, short readiness and shutdown periods, and
 * `env` last (a test's own values win).
 */
export function testServiceEnv(
  ctx: TestContext,
  env: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DATABASE_URL: ctx.databaseUrl,
    DATABASE_SCHEMA: ctx.schema,
    KAFKA_BROKERS: ctx.brokers.join(','),
    AUTH_PUBLIC_KEY_FILE: ensureDevKeys(TEST_KEY_DIR).publicKeyFile,
    READINESS_INTERVAL_MS: '500',
    SHUTDOWN_GRACE_MS: '5000',
    ...env,
  };
}

/**
 * Boots a real service in this process: gRPC and HTTP on free ports on 127.0.0.1, the test
 * file's schema and broker, a test signing key. Stop it in afterAll.
 */
export async function startTestService(
  definition: ServiceDefinition,
  ctx: TestContext,
  env: Record<string, string> = {},
): Promise<TestService> {
  const running = await trackStart(
    startService(definition, testServiceEnv(ctx, { LOG_LEVEL: 'warn', ...env })),
  );
  const grpcAddress = `127.0.0.1:${running.grpcPort}`;
  const clients: Client[] = [];
  const makeClient = (service: string): GrpcTestClient => {
    const Constructor = lookup(loadPackageDefinition(trainyardPackageDefinition()), service);
    const client = new Constructor(grpcAddress, credentials.createInsecure()) as GrpcTestClient;
    clients.push(client);
    return client;
  };
  const stop = async () => {
    untrack();
    for (const client of clients) client.close();
    await running.stop();
  };
  const untrack = trackRunning({ label: `${definition.service} service (in process)`, stop });
  return {
    running,
    grpcAddress,
    httpUrl: `http://127.0.0.1:${running.httpPort}`,
    token: (...roles) => signDevToken({ roles, keyDir: TEST_KEY_DIR }),
    client: makeClient,
    health: (service = '') => healthCheck(grpcAddress, service),
    stop,
  };
}

/** A generic grpc-js client for a fully-qualified service at an address (close it after use). */
export function grpcTestClient(address: string, service: string): GrpcTestClient {
  const Constructor = lookup(loadPackageDefinition(trainyardPackageDefinition()), service);
  return new Constructor(address, credentials.createInsecure()) as GrpcTestClient;
}

/** Metadata a test call carries besides its token: a correlation id, or any entries. */
export type CallExtras = string | { readonly metadata: Readonly<Record<string, string>> };

/**
 * Calls a unary method and resolves its response, or rejects with the grpc ServiceError. With a
 * correlation id, the call carries it as `x-correlation-id` (to find what the call wrote); with
 * `{ metadata }`, those entries (e.g. a W3C `traceparent`).
 */
export function callUnary<T = unknown>(
  client: GrpcTestClient,
  method: string,
  request: unknown,
  token?: string,
  extras?: CallExtras,
): Promise<T> {
  const metadata = callMetadata(token, extras);
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (typeof fn !== 'function') return reject(new Error(`no method ${method}`));
    fn.call(client, request, metadata, (error, response) =>
      error ? reject(error) : resolve(response as T),
    );
  });
}

/**
 * Sends bytes as the request of a unary method (`/<package>.<Service>/<Method>`), for requests
 * that are not a message of its type; resolves the response's bytes, or rejects with the
 * ServiceError.
 */
export function callUnaryBytes(
  client: Client,
  path: string,
  bytes: Buffer,
  token?: string,
  correlationId?: string,
): Promise<Buffer> {
  const metadata = callMetadata(token, correlationId);
  const same = (b: Buffer) => b;
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(path, same, same, bytes, metadata, (error, response) =>
      error ? reject(error) : resolve(response as Buffer),
    ),
  );
}

function callMetadata(token?: string, extras?: CallExtras): Metadata {
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  if (typeof extras === 'string') {
    if (extras) metadata.set('x-correlation-id', extras);
  } else
    for (const [key, value] of Object.entries(extras?.metadata ?? {})) metadata.set(key, value);
  return metadata;
}

export function healthCheck(address: string, service = ''): Promise<string> {
  const definition = loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const Health = lookup(loadPackageDefinition(definition), 'grpc.health.v1.Health');
  const client = new Health(address, credentials.createInsecure()) as GrpcTestClient;
  return callUnary<{ status: string }>(client, 'Check', { service })
    .then((response) => response.status)
    .finally(() => client.close());
}

function lookup(
  root: object,
  path: string,
): new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client {
  const found = path
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], root);
  if (typeof found !== 'function') throw new Error(`no gRPC service ${path} in the descriptor set`);
  return found as new (
    address: string,
    creds: ReturnType<typeof credentials.createInsecure>,
  ) => Client;
}
