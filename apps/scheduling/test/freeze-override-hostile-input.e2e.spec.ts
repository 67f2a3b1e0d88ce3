import { randomBytes, randomUUID } from 'node:crypto';
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
  hostileUrlComponent,
  MALFORMED_INSTANTS,
  ManualClock,
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { FREEZE_OVERRIDE_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/**
 * Generated hostile input over every method of FreezeOverrideService (from the proto) and every
 * override route of the OpenAPI document: no INTERNAL/UNKNOWN or 5xx, and a refused call writes
 * nothing. Model: apps/planning/test/hostile-input.e2e.spec.ts.
 */
// The shared generator also sends fields of the wrong type, and the client refuses to serialise up
// to a quarter of those requests: 42 runs send each method at least as many requests with a
// hostile string as 25 runs of the former strings-only generator did.
const GRPC_RUNS = 42;
const RAW_RUNS = 3;
const REST_RUNS = 25;
const SERVER_FAULTS = new Set<number>([
  status.INTERNAL,
  status.UNKNOWN,
  status.DATA_LOSS,
  status.UNIMPLEMENTED,
]);

const root = new Root();
root.resolvePath = (_origin, target) => join(PROTO_INCLUDE_DIR, target);
root.loadSync('trainyard/scheduling/v1/freeze_override.proto');
root.resolveAll();
const methods = root.lookupService(FREEZE_OVERRIDE_GRPC_SERVICE).methodsArray;

describe('freeze overrides: hostile input stays a client error (every method and route)', () => {
  const clock = new ManualClock('2031-05-04T09:00:00.000Z');
  const run = randomBytes(3).toString('hex');
  const known = [`O-${run}`, 'prod', 'checkout', 'justified', '2031-05-04T10:00:00Z'];
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let token: string;

  const eventsOf = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);

  /** The gRPC error of a call (typed, or bytes when raw), or undefined when it succeeded. */
  const send = (path: string, request: unknown, correlationId: string, raw: boolean) =>
    errorOf(
      raw
        ? callUnaryBytes(client, path, request as Buffer, token, correlationId)
        : callUnary(client, path.split('/')[2] ?? '', request, token, correlationId),
    );

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    ctx = await createTestContext('sched_override_hostile');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService({ ...schedulingService, clock }, ctx);
    client = service.client(FREEZE_OVERRIDE_GRPC_SERVICE);
    token = await service.token('admin');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('enumerates the nine methods', () => {
    expect(methods.map((m) => m.name).sort()).toHaveLength(9);
  });

  it.each(methods.map((m) => [m.name, m] as const))(
    'gRPC %s: never INTERNAL/UNKNOWN, and a refused call writes nothing',
    async (name, method) => {
      const path = `/${FREEZE_OVERRIDE_GRPC_SERVICE}/${name}`;
      const requestType = method.resolvedRequestType;
      if (!requestType) throw new Error(`unresolved ${method.requestType}`);
      const check = async (request: unknown, raw: boolean) => {
        const correlationId = randomUUID();
        const error = await send(path, request, correlationId, raw);
        if (
          error?.code === status.INTERNAL &&
          error.details.startsWith('Request message serialization failure')
        )
          return;
        if (!error) return;
        if (SERVER_FAULTS.has(error.code))
          throw new Error(
            `${name} answered ${status[error.code]} (${error.details}) to ${JSON.stringify(request)?.slice(0, 300)}`,
          );
        expect(await eventsOf(correlationId)).toBe(0);
      };
      await fc.assert(
        fc.asyncProperty(hostileMessage(requestType, known, MALFORMED_INSTANTS), (request) =>
          check(request, false),
        ),
        { numRuns: GRPC_RUNS },
      );
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 48 }), (bytes) =>
          check(Buffer.from(bytes), true),
        ),
        { numRuns: RAW_RUNS },
      );
    },
  );

  it('REST: every override route answers hostile parameters without a 5xx', async () => {
    const reader = await service.token('viewer');
    const document = (await (
      await fetch(`${service.httpUrl}/api/scheduling/docs-json`)
    ).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const routes = Object.entries(document.paths)
      .filter(([path]) => path.includes('override'))
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([verb, operation]) => ({
          path,
          verb,
          parameters: operation.parameters ?? [],
        })),
      );
    expect(routes).toHaveLength(3);
    for (const route of routes) {
      const query = route.parameters.filter((p) => p.in === 'query');
      const inPath = route.parameters.filter((p) => p.in === 'path');
      const values = fc.record({
        path: fc.tuple(...inPath.map(() => hostileUrlComponent(known))),
        query: fc.array(
          fc.tuple(
            fc.constantFrom(...query.map((p) => p.name), 'unknown'),
            hostileUrlComponent(known),
          ),
          { maxLength: 4 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(values, async ({ path, query: pairs }) => {
          let url = route.path;
          inPath.forEach((p, i) => (url = url.replace(`{${p.name}}`, path[i] ?? '')));
          if (pairs.length) url += `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
          const response = await fetch(`${service.httpUrl}${url}`, {
            method: route.verb.toUpperCase(),
            headers: { authorization: `Bearer ${reader}` },
          });
          await response.arrayBuffer();
          if (response.status >= 500)
            throw new Error(`${route.verb.toUpperCase()} ${url} answered ${response.status}`);
        }),
        { numRuns: REST_RUNS },
      );
    }
  });
});
