// The scheduling part of `npm run demo` (issue 11), over scheduling's public gRPC API: a calendar
// of deployment windows in two zones, a freeze of the main train with an approved override, and
// (after planning commits the release) the deployment plan scheduling placed, each slot with why
// earlier slots were rejected, and the override's recorded uses.
import { status } from '@grpc/grpc-js';
import { signDevToken } from '@trainyard/infra';
import { DemoCallError, demoClient, unary } from './demo-grpc';
import { waitUntil } from './demo-sections';

interface PlacedPlan {
  readonly plan?: {
    readonly status: string;
    readonly deadline: string;
    readonly alert: string;
    readonly deployments: readonly {
      readonly deploymentId: string;
      readonly team: string;
      readonly environment: string;
      readonly wave: number;
      readonly start: string;
      readonly end: string;
      readonly expectedMinutes: number;
      readonly expectedBasis: string;
      readonly rejected: readonly { start: string; rule: string; party: string }[];
    }[];
  };
}

interface DemoOverride {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly from: string;
  readonly to: string;
  readonly status: string;
  readonly requiredApprovals: number;
  readonly approvalRule: string;
  readonly requestedBy: string;
  readonly approvals: readonly { approvedBy: string; approvedAt: string }[];
  readonly uses: readonly { deploymentId: string; start: string; end: string; usedBy: string }[];
}

export interface SchedulingDemo {
  defineCalendar(): Promise<{ freezeId: string; overrideId: string }>;
  printDeploymentPlan(releaseId: string): Promise<void>;
  printOverride(overrideId: string): Promise<void>;
  close(): void;
}

/** The scheduling part against `address`, as `token`'s holder, with ids carrying the run suffix. */
export function schedulingDemo(address: string, token: string, run: string): SchedulingDemo {
  const id = (name: string): string => `${name}-${run}`;
  const plans = demoClient('scheduling', 'DeploymentPlanService', address);
  const calendarClient = demoClient('scheduling', 'CalendarService', address);
  const overrideClient = demoClient('scheduling', 'FreezeOverrideService', address);

  /** Waits (up to a minute) for scheduling to place the release, then prints each slot and why. */
  async function printDeploymentPlan(releaseId: string): Promise<void> {
    const { plan } = await waitUntil(
      `scheduling to place ${releaseId} (GetDeploymentPlan at ${address})`,
      60_000,
      () =>
        unary<PlacedPlan>(plans, 'GetDeploymentPlan', { releaseId }, token, {
          deadlineMs: 10_000,
        }).then(
          (placed) => (placed.plan ? (placed as Required<PlacedPlan>) : undefined),
          (error: unknown) => {
            if (error instanceof DemoCallError && error.code === status.NOT_FOUND) return undefined; // not placed yet
            throw error;
          },
        ),
    );
    console.log(
      `\nDeployment plan of ${releaseId} (scheduling): ${plan.status}, deadline ${plan.deadline}${plan.alert ? `; ALERT: ${plan.alert}` : ''}`,
    );
    for (const d of [...plan.deployments].sort((a, b) => a.start.localeCompare(b.start))) {
      const local = (zone: string) =>
        new Date(d.start).toLocaleString('en-GB', {
          timeZone: zone,
          hour: '2-digit',
          minute: '2-digit',
          weekday: 'short',
        });
      console.log(
        `  ${d.start} → ${d.end}  ${d.environment.padEnd(10)} wave ${d.wave}  ${d.deploymentId} (${d.team}); ` +
          `Berlin ${local('Europe/Berlin')}, New York ${local('America/New_York')}; expected ${d.expectedMinutes} min (${d.expectedBasis})`,
      );
      const reasons = new Map<string, number>();
      for (const r of d.rejected)
        reasons.set(`${r.rule}: ${r.party}`, (reasons.get(`${r.rule}: ${r.party}`) ?? 0) + 1);
      for (const [reason, n] of reasons)
        console.log(`      earlier slot${n > 1 ? `s (${n})` : ''} rejected — ${reason}`);
    }
  }

  /**
   * Before the main release is committed: deployment windows for the main train's deployments in
   * two zones (09:00–17:00 Berlin and 09:00–17:00 New York, daily for two weeks from tomorrow), a freeze of the
   * main train over the first two days, and an override for its first Berlin window (the search
   * team's staging deployments only), requested by the demo's release manager and approved by two other people. Ids carry the
   * run suffix. The windows apply to every train (the calendar replaces the baseline windows for
   * all of them once it defines one); the freeze and the override only to the main train.
   */
  async function defineCalendar(): Promise<{ freezeId: string; overrideId: string }> {
    const retired = await retireEarlierCalendar();
    if (retired > 0) console.log(`\nRetired ${retired} calendar entries left by earlier demo runs`);
    const day = 86_400_000;
    const tomorrow = new Date(Date.now() + day).toISOString().slice(0, 10);
    const dayAfter = new Date(Date.now() + 2 * day).toISOString().slice(0, 10);
    const entry = (definition: Record<string, unknown>) =>
      unary(calendarClient, 'DefineCalendarEntry', { definition, reason: 'demo calendar' }, token);
    const daily = { rule: 'FREQ=DAILY;COUNT=14' };
    const windows = [
      { id: id('window-berlin'), zone: 'Europe/Berlin' },
      { id: id('window-new-york'), zone: 'America/New_York' },
    ];
    for (const w of windows)
      await entry({
        id: w.id,
        kind: 'deployment-window',
        name: `Deployment window ${w.zone}`,
        zone: w.zone,
        start: `${tomorrow}T09:00`,
        duration: 'PT8H',
        recurrence: daily,
        scope: {},
      });
    const freezeId = id('freeze-main');
    await entry({
      id: freezeId,
      kind: 'freeze',
      name: 'Main train freeze (payment provider cut-over)',
      zone: 'Europe/Berlin',
      start: `${tomorrow}T00:00`,
      duration: 'P2D',
      scope: { trains: ['main'] },
    });
    console.log(
      `
Calendar: deployment windows ${windows.map((w) => `${w.id} (daily 09:00–17:00 ${w.zone}, two weeks)`).join(', ')}; freeze ${freezeId} of the main train from ${tomorrow} 00:00 Berlin for two days`,
    );
    // The override lifts the freeze for the first Berlin window occurrence that lies in it.
    const occurrences = await unary<{ occurrences: { start: string; end: string }[] }>(
      calendarClient,
      'ListOccurrences',
      {
        entryId: windows[0]!.id,
        from: new Date().toISOString(),
        to: `${dayAfter}T23:59:59Z`,
      },
      token,
    );
    const first = occurrences.occurrences[0];
    if (!first) throw new Error(`the window ${windows[0]!.id} has no occurrence in the freeze`);
    const overrideId = id('override-main');
    await unary(
      overrideClient,
      'RequestFreezeOverride',
      {
        overrideId,
        freezeId,
        // one team: a scope open to every team reaches the payments rule (three approvals)
        scope: { trains: ['main'], teams: ['search'], environments: ['staging'] },
        from: first.start,
        to: first.end,
        reason: 'Staging must see the release before the cut-over ends (INC-2301 follow-up)',
      },
      token,
    );
    for (const approver of ['demo-approver-ana', 'demo-approver-ben'])
      await unary(
        overrideClient,
        'ApproveFreezeOverride',
        { overrideId },
        await signDevToken({ roles: ['approver'], subject: approver }),
      );
    console.log(
      `Freeze override ${overrideId}: the search team's staging deployments of the main train from ${first.start} to ${first.end}, requested by demo-release-manager, approved by demo-approver-ana and demo-approver-ben`,
    );
    return { freezeId, overrideId };
  }

  /**
   * Earlier demo runs left their windows and freeze in the calendar: retire them, so this run's
   * override is the one that decides (another run's freeze over the same days would still hold).
   */
  async function retireEarlierCalendar(): Promise<number> {
    const ours = /^(window-berlin|window-new-york|freeze-main)-[0-9a-f]{4}$/;
    const stale: string[] = [];
    for (let page = 1; ; page++) {
      const listed = await unary<{
        entries: { definition?: { id: string } }[];
        total: number;
      }>(calendarClient, 'ListCalendarEntries', { page, pageSize: 200 }, token);
      for (const e of listed.entries) {
        const entryId = e.definition?.id ?? '';
        if (ours.test(entryId) && !entryId.endsWith(run)) stale.push(entryId);
      }
      if (page * 200 >= listed.total) break;
    }
    for (const entryId of stale)
      await unary(
        calendarClient,
        'RetireCalendarEntry',
        { entryId, reason: 'superseded by a later demo run' },
        token,
      );
    return stale.length;
  }

  /** The override as scheduling now holds it: its approvals and every use placement recorded. */
  async function printOverride(overrideId: string): Promise<void> {
    // Placement records the use a moment after the plan is served: give it ten seconds.
    const until = Date.now() + 10_000;
    let override: DemoOverride | undefined;
    do {
      override = (
        await unary<{ override?: DemoOverride }>(
          overrideClient,
          'GetFreezeOverride',
          { overrideId },
          token,
        )
      ).override;
      if (override && override.uses.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < until);
    if (!override) return;
    console.log(
      `
Freeze override ${override.overrideId} (freeze ${override.freezeId}): ${override.status}, ${override.from} → ${override.to}; requested by ${override.requestedBy}, approved by ${override.approvals.map((a) => a.approvedBy).join(' and ')} (${override.requiredApprovals} required, rule ${override.approvalRule})`,
    );
    if (override.uses.length === 0) console.log('  not used (no deployment went into the freeze)');
    for (const u of override.uses)
      console.log(`  used by ${u.deploymentId}: ${u.start} → ${u.end} (recorded by ${u.usedBy})`);
  }

  return {
    defineCalendar,
    printDeploymentPlan,
    printOverride,
    close: () => {
      plans.close();
      calendarClient.close();
      overrideClient.close();
    },
  };
}
