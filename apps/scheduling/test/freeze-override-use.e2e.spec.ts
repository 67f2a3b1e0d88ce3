import { randomBytes } from 'node:crypto';
import {
  callUnary,
  createTestContext,
  startTestService,
  waitFor,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import {
  CALENDAR_GRPC_SERVICE,
  DEPLOYMENT_PLAN_GRPC_SERVICE,
  FREEZE_OVERRIDE_GRPC_SERVICE,
  schedulingService,
} from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

interface Row {
  readonly deploymentId: string;
  readonly startAt: string;
  readonly endAt: string;
}

/**
 * Every use of an override is an event: a release placed into a freeze lifted by an active
 * override records FreezeOverrideUsed on the override's stream, caused by DeploymentScheduled.
 */
describe('placement under a freeze override records the use', () => {
  const hour = 3_600_000;
  const base = Math.ceil(Date.now() / hour) * hour + 2 * hour;
  const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const run = randomBytes(3).toString('hex');
  const releaseId = `R-${run}`;
  const team = `storefront-${run}`;
  const overrideId = `O-${run}`;
  let ctx: TestContext;
  let service: TestService;
  const tokens: Record<string, string> = {};

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    ctx = await createTestContext('sched_override_use');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService(schedulingService, ctx);
    tokens.admin = await service.token('admin');
    tokens.requester = await service.token('release-manager');
    tokens.approver = await service.token('approver');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('places a deployment inside the freeze under the override and records FreezeOverrideUsed', async () => {
    const calendar = service.client(CALENDAR_GRPC_SERVICE);
    const plans = service.client(DEPLOYMENT_PLAN_GRPC_SERVICE);
    const overrides = service.client(FREEZE_OVERRIDE_GRPC_SERVICE);
    const entry = (id: string, kind: string, start: string, duration: string) => ({
      definition: { id, kind, name: id, zone: 'UTC', start, duration, scope: {} },
      reason: 'e2e',
    });
    await callUnary(
      calendar,
      'DefineCalendarEntry',
      entry(`win-${run}`, 'deployment-window', local(base), 'PT36H'),
      tokens.admin,
    );
    await callUnary(
      calendar,
      'DefineCalendarEntry',
      entry(`F-${run}`, 'freeze', local(base), 'PT12H'),
      tokens.admin,
    );
    await callUnary(
      overrides,
      'RequestFreezeOverride',
      {
        overrideId,
        freezeId: `F-${run}`,
        scope: { trains: ['main'], teams: [team] },
        from: instant(base),
        to: instant(base + 3 * hour),
        reason: 'Hotfix that cannot wait for the freeze to end',
      },
      tokens.requester,
    );
    await callUnary(overrides, 'ApproveFreezeOverride', { overrideId }, tokens.approver);
    await callUnary(overrides, 'ApproveFreezeOverride', { overrideId }, tokens.admin);

    await callUnary(
      plans,
      'PlaceReleaseScope',
      {
        releaseId,
        trainId: 'main',
        workloads: [{ workloadId: 'W-1', team, jobSize: 3, changeType: 'defect-fix', wave: 1 }],
        committedAt: new Date().toISOString(),
        reason: 'e2e',
      },
      tokens.admin,
    );
    const rows = await waitFor(
      async () => {
        const response = await fetch(
          `${service.httpUrl}/api/scheduling/deployments?release=${releaseId}&pageSize=50`,
          { headers: { authorization: `Bearer ${tokens.admin}` } },
        );
        const items = ((await response.json()) as { items: Row[] }).items;
        return items.length > 0 && items;
      },
      { description: 'the deployment calendar rows', timeoutMs: 20_000 },
    );
    const first = [...rows].sort((a, b) => a.startAt.localeCompare(b.startAt))[0]!;
    // inside the freeze, lifted by the override
    expect(first.startAt).toBe(instant(base));

    const events = await ctx.pool.query<{
      type: string;
      data: { deploymentId: string; start: string };
      causation: string | null;
    }>(
      `SELECT event_type AS type, data, metadata->>'causationId' AS causation
         FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [`freeze-override-${overrideId}`],
    );
    const used = events.rows.filter((r) => r.type === 'FreezeOverrideUsed');
    expect(used.map((u) => u.data.deploymentId)).toContain(first.deploymentId);
    const scheduled = await ctx.pool.query<{ id: string }>(
      `SELECT metadata->>'eventId' AS id FROM events WHERE stream_id = $1 AND event_type = 'DeploymentScheduled'`,
      [`deployment-plan-${releaseId}`],
    );
    expect(used[0]?.causation).toBe(scheduled.rows[0]?.id);
  });
});
