import { randomBytes } from 'node:crypto';
import {
  waitFor,
  callUnary,
  createTestContext,
  startTestService,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import {
  CALENDAR_GRPC_SERVICE,
  DEPLOYMENT_PLAN_GRPC_SERVICE,
  schedulingService,
} from '../src/scheduling.service';
import { isolatePlanningTopic } from './test-support/isolated-planning-topic';

interface Row {
  readonly deploymentId: string;
  readonly startAt: string;
  readonly endAt: string;
  readonly rescheduleReason: string | null;
}

/**
 * Issue 11 item 4: a freeze added later re-places the scheduled deployments it now covers, and
 * says why (DeploymentRescheduled; the calendar rows carry the reason).
 */
describe('rescheduling: a freeze added later re-places what it covers', () => {
  // The service's own clock: the window opens two hours after the next full hour.
  const hour = 3_600_000;
  const base = Math.ceil(Date.now() / hour) * hour + 2 * hour;
  const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const run = randomBytes(3).toString('hex');
  const releaseId = `R-${run}`;
  let ctx: TestContext;
  let service: TestService;
  let token: string;

  const rows = async (): Promise<Row[]> => {
    const response = await fetch(
      `${service.httpUrl}/api/scheduling/deployments?release=${releaseId}&pageSize=50`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Row[] }).items;
  };

  let restorePlanningTopic = (): void => undefined;

  beforeAll(async () => {
    ctx = await createTestContext('sched_rescheduling');
    restorePlanningTopic = await isolatePlanningTopic(ctx);
    service = await startTestService(schedulingService, ctx);
    token = await service.token('admin');
  });
  afterAll(async () => {
    restorePlanningTopic();
    await service?.stop();
    await ctx?.dispose();
  });

  it('places a release, then a freeze over its slots moves them past the freeze with the reason', async () => {
    const calendar = service.client(CALENDAR_GRPC_SERVICE);
    const plans = service.client(DEPLOYMENT_PLAN_GRPC_SERVICE);
    const entry = (id: string, kind: string, start: string, duration: string) => ({
      definition: { id, kind, name: id, zone: 'UTC', start, duration, scope: {} },
      reason: 'e2e',
    });
    await callUnary(
      calendar,
      'DefineCalendarEntry',
      entry(`win-${run}`, 'deployment-window', local(base), 'PT12H'),
      token,
    );
    await callUnary(
      plans,
      'PlaceReleaseScope',
      {
        releaseId,
        trainId: 'main',
        workloads: [
          { workloadId: 'W-1', team: 'payments', jobSize: 3, changeType: 'defect-fix', wave: 1 },
        ],
        committedAt: new Date().toISOString(),
        reason: 'e2e',
      },
      token,
    );
    const before = await waitFor(
      async () => {
        const r = await rows();
        return r.length > 0 && r;
      },
      { description: 'the deployment calendar rows', timeoutMs: 20_000 },
    );
    const first = [...before].sort((a, b) => a.startAt.localeCompare(b.startAt))[0]!;
    expect(first.startAt).toBe(instant(base));

    await callUnary(
      calendar,
      'DefineCalendarEntry',
      entry(`F-${run}`, 'freeze', local(base), 'PT3H'),
      token,
    );

    const after = await rows();
    expect(after).toHaveLength(before.length);
    for (const row of after) {
      expect(row.startAt >= instant(base + 3 * hour)).toBe(true);
      expect(row.rescheduleReason).toContain(`F-${run}`);
    }
    const events = await ctx.pool.query<{ type: string }>(
      `SELECT event_type AS type FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [`deployment-plan-${releaseId}`],
    );
    expect(events.rows.map((r) => r.type)).toEqual([
      'DeploymentScheduled',
      'DeploymentRescheduled',
    ]);
  });
});
