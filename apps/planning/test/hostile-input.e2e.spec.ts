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
  startTestService,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { planningService } from '../src/planning.service';

/**
 * Generated hostile input over every method of PlanningService and every REST route of the OpenAPI
 * document: no call may answer INTERNAL/UNKNOWN or 5xx, and no refused call may write an event.
 */
const SERVICE = 'trainyard.planning.v1.PlanningService';
const GRPC_RUNS = 14; // per method
const RAW_RUNS = 3; // per method: bytes that are not a message of its type
const REST_RUNS = 20; // per route
const SERVER_FAULTS = new Set<number>([
  status.INTERNAL,
  status.UNKNOWN,
  status.DATA_LOSS,
  status.UNIMPLEMENTED,
]);

const root = new Root();
root.resolvePath = (_origin, target) => join(PROTO_INCLUDE_DIR, target);
root.loadSync('trainyard/planning/v1/planning.proto');
root.resolveAll();
const methods = root.lookupService(SERVICE).methodsArray;

describe('hostile input stays a client error (generated, every gRPC method and REST route)', () => {
  let ctx: TestContext;
  let service: TestService;
  let client: GrpcTestClient;
  let token: string;
  const run = randomBytes(3).toString('hex');
  const seedCorrelation = randomUUID();
  const known = [`WL-${run}-seed`, `R-${run}-seed`, 'payments', 'train-core'];

  const eventsOf = (correlationId: string) => ctx.eventsOfCorrelation(correlationId);
  const eventCount = async () =>
    Number((await ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);

  /** The gRPC error of a call (typed, or bytes when raw), or undefined when it succeeded. */
  const send = (path: string, request: unknown, correlationId: string, raw: boolean) =>
    errorOf(
      raw
        ? callUnaryBytes(client, path, request as Buffer, token, correlationId)
        : callUnary(client, path.split('/')[2] ?? '', request, token, correlationId),
    );

  beforeAll(async () => {
    ctx = await createTestContext('hostile_input');
    service = await startTestService(planningService, ctx);
    client = service.client(SERVICE);
    token = await service.token('admin');
    const tracks = await callUnary<{ tracks: { trackId: string }[] }>(
      client,
      'ListTracks',
      {},
      token,
    );
    known.push(...tracks.tracks.map((t) => t.trackId));
    const seeded = await send(
      `/${SERVICE}/RegisterWorkload`,
      {
        workloadId: known[0],
        title: 'Seed',
        team: 'payments',
        components: [{ name: 'checkout', kind: 'COMPONENT_KIND_SERVICE' }],
        jobSize: 3,
        businessValue: 5,
        timeCriticality: 3,
        riskReduction: 1,
      },
      seedCorrelation,
      false,
    );
    if (seeded) throw seeded;
  });
  afterAll(async () => {
    await service?.stop();
    await ctx?.dispose();
  });

  it('enumerates every method of the service definition, and sees the events a call writes by its correlation id', async () => {
    expect(methods.length).toBeGreaterThanOrEqual(20);
    expect(await eventsOf(seedCorrelation)).toBeGreaterThan(0);
  });

  it.each(methods.map((m) => [m.name, m] as const))(
    'gRPC %s: never INTERNAL/UNKNOWN, and a refused call writes nothing',
    async (name, method) => {
      const path = `/${SERVICE}/${name}`;
      const requestType = method.resolvedRequestType;
      if (!requestType) throw new Error(`unresolved ${method.requestType}`);
      const seen = { sent: 0, refused: 0 };
      const check = async (request: unknown, raw: boolean) => {
        const correlationId = randomUUID();
        const error = await send(path, request, correlationId, raw);
        // grpc-js refusing to serialize a wrong-typed value: nothing left the client.
        if (
          error?.code === status.INTERNAL &&
          error.details.startsWith('Request message serialization failure')
        )
          return;
        seen.sent++;
        if (!error) return;
        seen.refused++;
        if (SERVER_FAULTS.has(error.code))
          throw new Error(
            `${name} answered ${status[error.code]} (${error.details}) to ${JSON.stringify(request)?.slice(0, 300)}`,
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

  it('REST: every route of the OpenAPI document answers hostile parameters without a 5xx, and writes nothing', async () => {
    const reader = await service.token('viewer');
    const document = (await (await fetch(`${service.httpUrl}/api/planning/docs-json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([verb, operation]) => ({
        path,
        verb,
        parameters: operation.parameters ?? [],
      })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(6);
    const before = await eventCount();
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
    expect(await eventCount()).toBe(before);
  });
});
