import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Root } from 'protobufjs';
import { PROTO_INCLUDE_DIR } from '@trainyard/grpc-contracts';
import {
  callUnary,
  callUnaryBytes,
  createTestContext,
  errorOf,
  hostileMessage,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { complianceService } from '../src/compliance.service';
import { isolatedTopicSettings } from './test-support/isolated-topics';

/**
 * Generated hostile input over every method of AccessAdminService and SamplingService, sent by a
 * caller holding every permission they need (so validation, not authorisation, answers): no call
 * may answer INTERNAL/UNKNOWN, an INVALID_ARGUMENT names its field, and a refused call writes no
 * event.
 */
const SERVICES = [
  ['trainyard.compliance.v1.AccessAdminService', 'trainyard/compliance/v1/access.proto'],
  ['trainyard.compliance.v1.SamplingService', 'trainyard/compliance/v1/sampling.proto'],
] as const;
const GRPC_RUNS = 25;
const RAW_RUNS = 3;
const SERVER_FAULTS = new Set<number>([
  status.INTERNAL,
  status.UNKNOWN,
  status.DATA_LOSS,
  status.UNIMPLEMENTED,
]);

const root = new Root();
root.resolvePath = (_origin, target) => join(PROTO_INCLUDE_DIR, target);
for (const [, file] of SERVICES) root.loadSync(file);
root.resolveAll();
const methods = SERVICES.flatMap(([service]) =>
  root.lookupService(service).methodsArray.map((m) => [service, m.name, m] as const),
);
describe('hostile input to access administration and sampling stays a client error', () => {
  let ctx: TestContext;
  let service: TestService;
  const clients = new Map<string, GrpcTestClient>();
  let token: string;
  const known = [
    'viewer',
    'admin',
    'planning:read',
    'compliance:policy:approve',
    'dana',
    '2031-05',
    '2031-Q2',
    'seed-1',
  ];

  const eventsOf = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);

  /** The gRPC error of a call (typed, or bytes when raw), or undefined when it succeeded. */
  const send = (
    service: string,
    name: string,
    request: unknown,
    correlationId: string,
    raw: boolean,
  ) => {
    const client = clients.get(service)!;
    return errorOf(
      raw
        ? callUnaryBytes(client, `/${service}/${name}`, request as Buffer, token, correlationId)
        : callUnary(client, name, request, token, correlationId),
    );
  };

  beforeAll(async () => {
    ctx = await createTestContext('caccess_hostile');
    service = await startTestService(complianceService, ctx, {
      ...isolatedTopicSettings(ctx),
      ACCESS_MODEL_TOPIC: ctx.topic('access-model'),
    });
    for (const [name] of SERVICES) clients.set(name, service.client(name));
    token = await service.token('security-admin', 'compliance-officer');
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await ctx?.dispose();
  });

  it('covers every method of both services', () => {
    expect(methods.map(([, name]) => name).sort()).toEqual(
      [
        'ApproveChange',
        'DrawSample',
        'GetModel',
        'GrantRole',
        'ListFindings',
        'ListPendingChanges',
        'ListRoles',
        'ListSamples',
        'PutRole',
        'RejectChange',
        'RevokeRole',
      ].sort(),
    );
  });

  it.each(methods.map(([service, name, method]) => [name, service, method] as const))(
    'gRPC %s: never INTERNAL/UNKNOWN, INVALID_ARGUMENT names the field, a refused call writes nothing',
    async (name, service, method) => {
      const requestType = method.resolvedRequestType;
      if (!requestType) throw new Error(`unresolved ${method.requestType}`);
      const seen = { sent: 0 };
      const check = async (request: unknown, raw: boolean) => {
        const correlationId = randomUUID();
        const error = await send(service, name, request, correlationId, raw);
        if (
          error?.code === status.INTERNAL &&
          error.details.startsWith('Request message serialization failure')
        )
          return;
        seen.sent++;
        if (!error) return;
        if (SERVER_FAULTS.has(error.code))
          throw new Error(
            `${name} answered ${status[error.code]} (${error.details}) to ${JSON.stringify(request)?.slice(0, 300)}`,
          );
        const field = error.metadata?.get('trainyard-field')[0];
        expect(error.code !== status.INVALID_ARGUMENT || (raw ? true : field !== undefined)).toBe(
          true,
        );
        expect(await eventsOf(correlationId)).toBe(0);
      };
      await fc.assert(
        fc.asyncProperty(hostileMessage(requestType, known), (request) => check(request, false)),
        { numRuns: GRPC_RUNS },
      );
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 48 }), (bytes) =>
          check(Buffer.from(bytes), true),
        ),
        { numRuns: RAW_RUNS },
      );
      expect(seen.sent).toBeGreaterThan(GRPC_RUNS / 2);
    },
  );
});
