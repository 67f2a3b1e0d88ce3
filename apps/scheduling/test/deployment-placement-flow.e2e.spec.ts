import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { planning } from '@trainyard/grpc-contracts';
import {
  SERVICE_START_TIMEOUT_MS,
  buildPlatform,
  callUnary,
  createTestContext,
  forwardTopic,
  grpcTestClient,
  startServiceProcess,
  waitFor,
  type GrpcTestClient,
  type PlatformBuild,
  type ServiceProcess,
  type TestContext,
  type TopicForwarder,
} from '@trainyard/testing';
import type { DeploymentScheduledV1 } from '@trainyard/scheduling-contracts';

const SCHEDULING_TOPIC = 'trainyard.scheduling.events.v1';
const PLANNING_TOPIC = 'trainyard.planning.events.v1';

interface Received {
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: unknown;
}

interface DeploymentItem {
  readonly deploymentId: string;
  readonly releaseId: string;
  readonly team: string;
  readonly environment: string;
  readonly wave: number;
  readonly startAt: string;
  readonly endAt: string;
  readonly expectedMinutes: number;
  readonly status: string;
  readonly rejected: { rule: string; party: string }[];
}

/** The weekday and minutes since local midnight of `iso` in `timeZone`. */
const localTime = (iso: string, timeZone: string) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return { weekday: parts.weekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
};

/** [start, end] lies in one of the service's baseline windows (SERVICE_BASELINE_CALENDAR). */
const inBaselineWindow = (start: string, end: string): boolean =>
  ['Europe/Berlin', 'America/New_York'].some((zone) => {
    const from = localTime(start, zone);
    const to = localTime(end, zone);
    return (
      !['Sat', 'Sun'].includes(from.weekday ?? '') &&
      from.weekday === to.weekday &&
      from.minutes >= 9 * 60 &&
      to.minutes <= 13 * 60
    );
  });

/**
 * Issue 11 item 4 end to end: planning commits a release scope over gRPC → its CloudEvent on
 * trainyard.planning.events.v1 → scheduling's consumer places it → DeploymentScheduled on
 * trainyard.scheduling.events.v1 and the rows in the REST deployment calendar; then the
 * deployment's progress is recorded and the durations read model serves expected vs actual.
 * Both services run as their own processes (their real main.ts), each on its
 * own schema; both topics are shared, so every assertion filters on this run's ids.
 */
describe('deployment placement: planning commit on Kafka → DeploymentScheduled → REST calendar', () => {
  let build: PlatformBuild;
  let planningCtx: TestContext;
  let schedulingCtx: TestContext;
  let planningSvc: ServiceProcess;
  let scheduling: ServiceProcess;
  let planningClient: GrpcTestClient;
  let plans: GrpcTestClient;
  let consumer: Consumer;
  let forwarder: TopicForwarder | undefined;
  const received: Received[] = [];
  const run = randomBytes(3).toString('hex');
  const releaseId = `R-${run}-place`;
  const team = `payments-${run}`;

  const rest = async (path: string, token: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${scheduling.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    build = buildPlatform();
    planningCtx = await createTestContext('dur_planning');
    schedulingCtx = await createTestContext('dur_scheduling');
    planningSvc = await startServiceProcess(build, 'planning', planningCtx);
    planningClient = grpcTestClient(
      planningSvc.grpcAddress,
      'trainyard.planning.v1.PlanningService',
    );
    // Scheduling reads only this run's planning events, forwarded to a topic of its own: a fresh
    // group on the shared topic would first place every release other specs ever committed.
    const planningTopic = schedulingCtx.topic('planning-events');
    forwarder = await forwardTopic({
      brokers: schedulingCtx.brokers,
      from: PLANNING_TOPIC,
      to: planningTopic,
      groupId: schedulingCtx.groupId('forward'),
      accept: (key) => key.includes(run),
    });
    scheduling = await startServiceProcess(build, 'scheduling', schedulingCtx, {
      SCHEDULING_PLANNING_TOPIC: planningTopic,
    });
    plans = grpcTestClient(scheduling.grpcAddress, 'trainyard.scheduling.v1.DeploymentPlanService');
    const kafka = new Kafka({
      clientId: `dur-e2e-${run}`,
      brokers: schedulingCtx.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await admin.listTopics()).includes(SCHEDULING_TOPIC), {
      description: `topic ${SCHEDULING_TOPIC}`,
    });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: schedulingCtx.groupId('observer'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: SCHEDULING_TOPIC, fromBeginning: true });
    const collect = (message: KafkaMessage) => {
      const key = message.key?.toString() ?? '';
      if (!key.includes(run)) return;
      received.push({
        key,
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        ),
        value: message.value ? JSON.parse(message.value.toString()) : undefined,
      });
    };
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(collect(message)) });
  }, SERVICE_START_TIMEOUT_MS * 2);

  afterAll(async () => {
    plans?.close();
    planningClient?.close();
    await consumer?.disconnect();
    await forwarder?.stop();
    await scheduling?.stop();
    await planningSvc?.stop();
    await planningCtx?.dispose();
    await schedulingCtx?.dispose();
    build?.remove();
  });

  it('places the committed scope in real windows, publishes DeploymentScheduled and serves the calendar', async () => {
    const writer = await planningSvc.token('release-manager');
    const ids = [`WL-${run}-1`, `WL-${run}-2`];
    for (const [i, workloadId] of ids.entries())
      await callUnary(
        planningClient,
        'RegisterWorkload',
        {
          workloadId,
          title: `Checkout change ${i}`,
          team,
          components: [
            { name: 'checkout-service', kind: planning.ComponentKind.COMPONENT_KIND_SERVICE },
          ],
          regulatedData: [],
          jobSize: 3,
          businessValue: 8,
          timeCriticality: 5,
          riskReduction: 2,
          dependsOn: i === 1 ? [ids[0]] : [],
          schemaChange: false,
          changeType: planning.ChangeType.CHANGE_TYPE_DEFECT_FIX,
          reason: 'placement e2e',
        },
        writer,
      );
    await callUnary(
      planningClient,
      'PlanRelease',
      {
        releaseId,
        trainId: 'main',
        windowStart: '2031-01-05T08:00:00Z',
        windowEnd: '2031-01-19T18:00:00Z',
      },
      writer,
    );
    await callUnary(
      planningClient,
      'CommitReleaseScope',
      { releaseId, reason: 'placement e2e' },
      writer,
    );

    const message = await waitFor(
      () =>
        received.find(
          (m) => m.headers.ce_type === 'dev.trainyard.scheduling.DeploymentScheduled.v1',
        ),
      { description: 'DeploymentScheduled on the scheduling topic', timeoutMs: 150_000 },
    );
    expect(message.key).toBe(`deployment-plan-${releaseId}`);
    expect(message.headers).toMatchObject({
      ce_source: '/trainyard/scheduling',
      ce_dataschema: 'urn:trainyard:scheduling:events#/components/schemas/DeploymentScheduled.v1',
    });
    const plan = message.value as DeploymentScheduledV1;
    expect(plan).toMatchObject({ releaseId, trainId: 'main' });
    expect(plan.deployments.map((d) => d.environment).sort()).toEqual([
      'production',
      'production',
      'staging',
      'staging',
    ]);
    for (const d of plan.deployments) {
      // defect-fix has no history yet: the configured default
      expect(d.expectedDuration).toMatchObject({ minutes: 30, basis: 'configured-default' });
      expect(Date.parse(d.end) - Date.parse(d.start)).toBe(30 * 60_000);
      // inside a baseline window: 09:00–13:00 in Berlin or New York, on a weekday (a slot starts
      // at a window's opening, or at the commit's lead time when that falls inside a window)
      expect({ start: d.start, inBaselineWindow: inBaselineWindow(d.start, d.end) }).toEqual({
        start: d.start,
        inBaselineWindow: true,
      });
    }

    const reader = await scheduling.token('viewer');
    const calendar = await waitFor(
      async () => {
        const page = await rest(`/api/scheduling/deployments?release=${releaseId}`, reader);
        const body = page.body as { items: DeploymentItem[]; total: number };
        return page.status === 200 && body.total === 4 && body;
      },
      { description: 'the deployments in the REST calendar' },
    );
    expect(calendar.items.map((d) => d.deploymentId).sort()).toEqual(
      plan.deployments.map((d) => d.deploymentId).sort(),
    );
    expect(calendar.items[0]).toMatchObject({ team, status: 'scheduled', expectedMinutes: 30 });
    expect(
      (await rest(`/api/scheduling/deployments?team=${team}&pageSize=1`, reader)).body,
    ).toMatchObject({
      total: 4,
      pageSize: 1,
    });

    const waves = (await rest(`/api/scheduling/releases/${releaseId}/waves`, reader)).body as {
      items: { environment: string; wave: number; deployments: unknown[] }[];
    };
    expect(waves.items.map((w) => w.environment)).toEqual(
      expect.arrayContaining(['staging', 'production']),
    );
    expect((await rest(`/api/scheduling/releases/R-${run}-none/waves`, reader)).status).toBe(404);
    expect((await rest('/api/scheduling/deployments?from=yesterday', reader)).status).toBe(400);
    expect((await rest('/api/scheduling/deployments', '')).status).toBe(401);

    // The deployment service's progress: expected against actual per deployment.
    const recorder = await scheduling.token('service');
    const first = plan.deployments[0];
    if (!first) throw new Error('no deployment');
    await callUnary(
      plans,
      'RecordDeploymentStarted',
      { releaseId, deploymentId: first.deploymentId, startedAt: first.start },
      recorder,
    );
    const finishedAt = new Date(Date.parse(first.start) + 42 * 60_000).toISOString();
    const finished = await callUnary<{ recorded: string[] }>(
      plans,
      'RecordDeploymentFinished',
      { releaseId, deploymentId: first.deploymentId, finishedAt, outcome: 'succeeded' },
      recorder,
    );
    expect(finished.recorded).toEqual(['DeploymentFinished']);
    const durations = await waitFor(
      async () => {
        const body = (await rest('/api/scheduling/durations?workloadType=defect-fix', reader))
          .body as {
          items: { samples: number; meanVarianceMinutes: number; expected: { minutes: number } }[];
        };
        return (body.items[0]?.samples ?? 0) >= 1 && body.items[0];
      },
      { description: 'the durations read model' },
    );
    expect(durations.expected.minutes).toBe(30);
    const perDeployment = (
      await rest('/api/scheduling/durations/deployments?workloadType=defect-fix', reader)
    ).body as { items: { deploymentId: string; actualMinutes: number; varianceMinutes: number }[] };
    expect(perDeployment.items.find((d) => d.deploymentId === first.deploymentId)).toMatchObject({
      actualMinutes: 42,
      varianceMinutes: 12,
    });
  }, 300_000);
});
