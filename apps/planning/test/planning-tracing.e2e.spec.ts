// Tracing as it runs in production: the service is its own process started through main.ts
// (telemetry before grpc-js, http and pg load), with the OTLP endpoint pointed at a receiver here.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { planning } from '@trainyard/grpc-contracts';
import {
  buildPlatform,
  callUnary,
  createTestContext,
  grpcTestClient,
  startOtlpReceiver,
  startServiceProcess,
  waitFor,
  type GrpcTestClient,
  type OtlpReceiver,
  type PlatformBuild,
  type ServiceProcess,
  type TestContext,
  SERVICE_START_TIMEOUT_MS,
} from '@trainyard/testing';

const START_HOOK_TIMEOUT_MS = SERVICE_START_TIMEOUT_MS + 30_000;

const TOPIC = 'trainyard.planning.events.v1';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const REGISTER_SPAN = 'grpc.trainyard.planning.v1.PlanningService/RegisterWorkload';
const SERVER = 2;

const run = randomBytes(3).toString('hex');

const registration = (workloadId: string) => ({
  workloadId,
  title: `Traced ${workloadId}`,
  team: `tracing-${run}`,
  components: [{ name: 'checkout-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE }],
  regulatedData: [],
  jobSize: 3,
  businessValue: 8,
  timeCriticality: 5,
  riskReduction: 2,
  dependsOn: [],
  schemaChange: false,
  reason: 'tracing test',
});

const register = (
  client: GrpcTestClient,
  token: string,
  workloadId: string,
  traceparent?: string,
): Promise<unknown> =>
  callUnary(client, 'RegisterWorkload', registration(workloadId), token, {
    metadata: traceparent ? { traceparent } : {},
  });

describe('planning tracing (service process, real PostgreSQL and Kafka, local OTLP receiver)', () => {
  let build: PlatformBuild;
  let ctx: TestContext;
  let consumer: Consumer;
  const published = new Map<string, Record<string, string>>();

  const storedTraceparent = async (workloadId: string): Promise<string | undefined> => {
    const { rows } = await ctx.pool.query<{ traceparent: string | null }>(
      `SELECT metadata->'trace'->>'traceparent' AS traceparent FROM events WHERE stream_id = $1`,
      [`workload-${workloadId}`],
    );
    expect(rows).toHaveLength(1);
    return rows[0]?.traceparent ?? undefined;
  };

  beforeAll(async () => {
    build = buildPlatform();
    ctx = await createTestContext('planning_tracing');
    // A plain kafkajs consumer, not the project's message bus: the headers as any client sees them.
    const kafka = new Kafka({
      clientId: `planning-tracing-${run}`,
      brokers: ctx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .createTopics({ topics: [{ topic: TOPIC }], waitForLeaders: true })
      .catch(() => false);
    await waitFor(async () => (await admin.listTopics()).includes(TOPIC), {
      description: `topic ${TOPIC}`,
    });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: ctx.groupId('tracing'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (key.includes(run))
          published.set(
            key,
            Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          );
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await ctx?.dispose();
    build?.remove();
  });

  describe('exporting to OTLP', () => {
    let receiver: OtlpReceiver;
    let service: ServiceProcess;
    let client: GrpcTestClient;
    let writer: string;

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      service = await startServiceProcess(build, 'planning', ctx, {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '100',
        LOG_LEVEL: 'debug',
      });
      client = grpcTestClient(service.grpcAddress, 'trainyard.planning.v1.PlanningService');
      writer = await service.token('release-manager');
    }, START_HOOK_TIMEOUT_MS);

    afterAll(async () => {
      client?.close();
      await service?.stop();
      await receiver?.close();
    });

    it("stores the command's trace context with its event, publishes it as traceparent on Kafka, logs it and exports the server span", async () => {
      const workloadId = `WL-${run}-exported`;
      await register(client, writer, workloadId);

      const server = await waitFor(
        () => receiver.spans.find((span) => span.name === REGISTER_SPAN && span.kind === SERVER),
        { timeoutMs: 30_000, description: 'the RegisterWorkload server span at the OTLP receiver' },
      );
      expect(server.service).toBe('trainyard-planning');
      expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(server.traceId).not.toBe('0'.repeat(32));

      const stored = await storedTraceparent(workloadId);
      const [, traceId, spanId, flags] = TRACEPARENT.exec(stored ?? '') ?? [];
      expect(traceId).toBe(server.traceId);
      expect(flags).toBe('01');
      // The stored parent is a span of this call that was exported too (the server span or one inside it).
      await waitFor(
        () =>
          receiver.spans.some((span) => span.spanId === spanId && span.traceId === server.traceId),
        {
          timeoutMs: 30_000,
          description: `span ${spanId} at the OTLP receiver`,
        },
      );

      const headers = await waitFor(() => published.get(`workload-${workloadId}`), {
        timeoutMs: 30_000,
        description: 'the CloudEvent on Kafka',
      });
      expect(headers['traceparent']).toBe(stored);
      expect(headers['ce_type']).toBeDefined();

      const line = await waitFor(
        () =>
          service.logs.find(
            (log) =>
              log['context'] === 'GrpcCall' &&
              log['method'] === 'WorkloadGrpcController.registerWorkload',
          ),
        { description: 'the log line of the call' },
      );
      expect(line['trace_id']).toBe(server.traceId);
      expect(line['span_id']).toMatch(/^[0-9a-f]{16}$/);
    });

    it("continues the caller's trace (W3C traceparent metadata) into the stored event", async () => {
      const workloadId = `WL-${run}-continued`;
      const callerTrace = randomBytes(16).toString('hex');
      await register(
        client,
        writer,
        workloadId,
        `00-${callerTrace}-${randomBytes(8).toString('hex')}-01`,
      );
      expect(TRACEPARENT.exec((await storedTraceparent(workloadId)) ?? '')?.[1]).toBe(callerTrace);
      const server = await waitFor(
        () =>
          receiver.spans.find(
            (span) => span.name === REGISTER_SPAN && span.traceId === callerTrace,
          ),
        { timeoutMs: 30_000, description: "the server span in the caller's trace" },
      );
      expect(server.kind).toBe(SERVER);
    });
  });

  describe('not exporting, sampler always_off', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startServiceProcess(build, 'planning', ctx, {
        OTEL_TRACES_SAMPLER: 'always_off',
      });
    }, START_HOOK_TIMEOUT_MS);

    afterAll(() => service?.stop());

    it('still captures a valid trace context (not sampled) on every command and publishes it', async () => {
      const client = grpcTestClient(service.grpcAddress, 'trainyard.planning.v1.PlanningService');
      try {
        const workloadId = `WL-${run}-unsampled`;
        await register(client, await service.token('release-manager'), workloadId);
        const stored = await storedTraceparent(workloadId);
        const [, traceId, , flags] = TRACEPARENT.exec(stored ?? '') ?? [];
        expect(traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(traceId).not.toBe('0'.repeat(32));
        expect(flags).toBe('00');
        const headers = await waitFor(() => published.get(`workload-${workloadId}`), {
          timeoutMs: 30_000,
          description: 'the CloudEvent on Kafka',
        });
        expect(headers['traceparent']).toBe(stored);
      } finally {
        client.close();
      }
    });
  });
});
