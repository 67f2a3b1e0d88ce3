import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { Root } from 'protobufjs';
import { PROTO_INCLUDE_DIR, decodeRpcStatus } from '@trainyard/grpc-contracts';
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
import { DEPLOYMENT_PLAN_GRPC_SERVICE, schedulingService } from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

/**
 * Generated hostile input over every method of DeploymentPlanService (from the proto) and every
 * deployment-plan route of the OpenAPI document (deployments, waves, durations): no INTERNAL/UNKNOWN
 * or 5xx; a refused gRPC call writes nothing and an INVALID_ARGUMENT names the field; a REST answer
 * is 200, 400 naming the field, or 404 (an unknown release). Model:
 * freeze-override-hostile-input.e2e.spec.ts.
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
root.loadSync('trainyard/scheduling/v1/deployment_plan.proto');
root.resolveAll();
const methods = root.lookupService(DEPLOYMENT_PLAN_GRPC_SERVICE).methodsArray;

describe('deployment plans: hostile input stays a client error (every method and route)', () => {
  const clock = new ManualClock('2031-05-04T09:00:00.000Z');
  const run = randomBytes(3).toString('hex');
  const known = [
    `R-${run}`,
    `R-${run}:W-1:production`,
    'W-1',
    'T-1',
    'payments',
    'defect-fix',
    'freeze-added',
    'override-expired',
    '2031-05-04T10:00:00Z',
  ];
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
    ctx = await createTestContext('sched_depplan_hostile');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService({ ...schedulingService, clock }, ctx);
    client = service.client(DEPLOYMENT_PLAN_GRPC_SERVICE);
    token = await service.token('admin');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('enumerates the five methods', () => {
    expect(methods.map((m) => m.name).sort()).toEqual([
      'GetDeploymentPlan',
      'PlaceReleaseScope',
      'RecordDeploymentFinished',
      'RecordDeploymentStarted',
      'ReplaceDeployments',
    ]);
  });

  it.each(methods.map((m) => [m.name, m] as const))(
    'gRPC %s: never INTERNAL/UNKNOWN, and a refused call writes nothing',
    async (name, method) => {
      const path = `/${DEPLOYMENT_PLAN_GRPC_SERVICE}/${name}`;
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
        if (error.code === status.INVALID_ARGUMENT && !raw) {
          // A refusal of a decodable request names the field it refused (raw bytes that are no
          // message of the method's type are refused before any field exists).
          const [bin] = error.metadata.get('grpc-status-details-bin');
          if (bin instanceof Buffer) {
            const fields = decodeRpcStatus(bin).details.flatMap((d) =>
              d.type === 'google.rpc.BadRequest' ? d.value.fieldViolations.map((v) => v.field) : [],
            );
            if (!fields.some((f) => f.length > 0))
              throw new Error(`${name}: INVALID_ARGUMENT without a field (${error.details})`);
          }
        }
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

  it('REST: every deployment-plan route answers hostile parameters with 200, 400 naming the field, or 404', async () => {
    const reader = await service.token('viewer');
    const document = (await (
      await fetch(`${service.httpUrl}/api/scheduling/docs-json`)
    ).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const routes = Object.entries(document.paths)
      .filter(
        ([path]) =>
          path === '/api/scheduling/deployments' ||
          path.startsWith('/api/scheduling/durations') ||
          path.endsWith('/waves'),
      )
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([verb, operation]) => ({
          path,
          verb,
          parameters: operation.parameters ?? [],
        })),
      );
    expect(routes.map((r) => r.path).sort()).toEqual([
      '/api/scheduling/deployments',
      '/api/scheduling/durations',
      '/api/scheduling/durations/deployments',
      '/api/scheduling/releases/{id}/waves',
    ]);
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
          const body = (await response.json().catch(() => ({}))) as {
            field?: unknown;
            detail?: unknown;
          };
          // Known gap (platform, not this route): Express refuses a malformed %-escape in the path
          // with a 400 that names no field.
          const undecodable =
            typeof body.detail === 'string' && body.detail.startsWith('Failed to decode param');
          // 414/431: the HTTP server refuses an over-long URL before the application sees it.
          if (![200, 400, 404, 414, 431].includes(response.status))
            throw new Error(
              `${route.verb.toUpperCase()} ${url.slice(0, 300)} answered ${response.status}`,
            );
          if (response.status === 400 && typeof body.field !== 'string' && !undecodable)
            throw new Error(
              `${url.slice(0, 300)}: 400 without the field it refused: ${JSON.stringify(body)}`,
            );
          if (response.status === 404 && !route.path.includes('{id}'))
            throw new Error(`${url.slice(0, 300)}: 404 from a collection route`);
        }),
        { numRuns: REST_RUNS },
      );
    }
  });
});
