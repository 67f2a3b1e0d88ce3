// A whole planning lifecycle decided by the real domain, for the read-model and contract specs:
// every event type appears at least once. Not exported from the library.
import {
  DEFAULT_PLANNING_POLICY,
  allocate,
  decideApiVersion,
  decideRelease,
  decideWorkload,
  evolveRelease,
  evolveWorkload,
  initialRelease,
  initialWorkload,
  toAllocationCandidate,
  type ApiVersionCommand,
  type RegisterWorkloadData,
  type Release,
  type ReleaseCommand,
  type Workload,
  type WorkloadCommand,
} from '@trainyard/planning-domain';
import type { CommandMetadata } from '@trainyard/kernel';
import type { ProjectedEvent } from '../projected-event';

export const T0 = Date.parse('2026-11-02T09:00:00.000Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

export const registration = (
  workloadId: string,
  overrides: Partial<RegisterWorkloadData> = {},
): RegisterWorkloadData => ({
  workloadId,
  title: `Title of ${workloadId}`,
  team: 'payments',
  components: [{ name: 'checkout-service', kind: 'service' }],
  regulatedData: [],
  jobSize: 5,
  businessValue: 8,
  timeCriticality: 5,
  riskReduction: 3,
  dependsOn: [],
  schemaChange: false,
  ...overrides,
});

/** Streams decided in order; `events` is what a store subscription would deliver. */
export class PlanningScenario {
  readonly events: ProjectedEvent[] = [];
  private readonly workloads = new Map<string, { state: Workload; version: number }>();
  private readonly releases = new Map<string, { state: Release; version: number }>();
  private minute = 0;

  meta(actor = 'alice', reason?: string): CommandMetadata {
    return { now: at(this.minute++), actor, ...(reason ? { reason } : {}) };
  }

  workload(command: WorkloadCommand, reason?: string): void {
    const id = command.data.workloadId;
    const current = this.workloads.get(id) ?? { state: initialWorkload(), version: 0 };
    const events = decideWorkload(command, current.state);
    let { state, version } = current;
    for (const event of events) {
      state = evolveWorkload(state, event);
      version += 1;
      this.events.push({
        event,
        streamVersion: version,
        actor: command.metadata.actor,
        ...(reason ? { reason } : {}),
      });
    }
    this.workloads.set(id, { state, version });
  }

  release(command: ReleaseCommand): void {
    const id = command.data.releaseId;
    const current = this.releases.get(id) ?? { state: initialRelease(), version: 0 };
    const events = decideRelease(command, current.state);
    let { state, version } = current;
    for (const event of events) {
      state = evolveRelease(state, event);
      version += 1;
      this.events.push({
        event,
        streamVersion: version,
        actor: command.metadata.actor,
        ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
      });
    }
    this.releases.set(id, { state, version });
  }

  /** API versions have no state a scenario needs after the first deprecation. */
  apiVersion(command: ApiVersionCommand): void {
    for (const event of decideApiVersion(command, { status: 'Active' })) {
      this.events.push({
        event,
        streamVersion: 1,
        actor: command.metadata.actor,
        ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
      });
    }
  }

  workloadState(id: string): Workload {
    return this.workloads.get(id)?.state ?? initialWorkload();
  }
}

/**
 * W-2 included; W-1 (compliance, too big) and W-3 (team capacity) deferred, W-4 negotiated
 * out; after commit W-3 comes in and W-2 goes out by exceptions; closed with W-3 delivered.
 * R-2 cancelled, R-HOT an emergency patch for W-5, W-6 withdrawn. accounts v1 deprecated; W-4
 * consumes accounts v1.
 */
export const planningLifecycle = (): PlanningScenario => {
  const s = new PlanningScenario();
  s.workload(
    {
      type: 'RegisterWorkload',
      data: registration('W-1', {
        changeType: 'compliance-audit',
        jobSize: 20,
        team: 'audit',
        regulatedData: ['pii'],
      }),
      metadata: s.meta('alice', 'audit finding'),
    },
    'audit finding',
  );
  s.workload({
    type: 'RegisterWorkload',
    data: registration('W-2', {
      jobSize: 5,
      libraries: [{ name: 'auth-client', version: '1.3.1' }],
    }),
    metadata: s.meta(),
  });
  s.workload({
    type: 'RegisterWorkload',
    data: registration('W-3', {
      jobSize: 13,
      team: 'ledger',
      components: [{ name: 'ledger-service', kind: 'service' }],
    }),
    metadata: s.meta(),
  });
  s.workload({
    type: 'RegisterWorkload',
    data: registration('W-4', {
      jobSize: 2,
      dependsOn: ['W-2'],
      apiContract: { api: 'accounts', version: 'v2' },
      consumedApis: [{ api: 'accounts', version: 'v1' }],
    }),
    metadata: s.meta(),
  });
  s.workload({
    type: 'RegisterWorkload',
    data: registration('W-5', {
      changeType: 'emergency-patch',
      severity: 5,
      linkedIncident: 'INC-1',
      jobSize: 1,
    }),
    metadata: s.meta(),
  });
  s.workload({
    type: 'RegisterWorkload',
    data: registration('W-6', {
      schemaChange: true,
      components: [{ name: 'orders-db', kind: 'database' }],
    }),
    metadata: s.meta(),
  });

  s.release({
    type: 'PlanRelease',
    data: { releaseId: 'R-1', trainId: 'main', window: { start: at(100), end: at(20_000) } },
    metadata: s.meta(),
  });
  s.release({
    type: 'ExcludeWorkload',
    data: { releaseId: 'R-1', workloadId: 'W-4' },
    metadata: s.meta('alice', 'not ready'),
  });
  const candidates = ['W-1', 'W-2', 'W-3', 'W-4'].map((id) => {
    const state = s.workloadState(id);
    if (state.status === 'Unregistered') throw new Error(id);
    return toAllocationCandidate(state.profile);
  });
  const plan = allocate({
    release: { releaseId: 'R-1', trainId: 'main' },
    candidates,
    capacityByTeam: { payments: 13, ledger: 1, audit: 2 },
    policy: {
      ...DEFAULT_PLANNING_POLICY,
      allocation: { teamCapShare: 1, techDebtReserveShare: 0 },
    },
    negotiated: { exclude: ['W-4'] },
  });
  s.release({ type: 'CommitScope', data: { releaseId: 'R-1', plan }, metadata: s.meta() });
  for (const entry of plan.entries) {
    if (entry.decision === 'included')
      s.workload(
        {
          type: 'PlanWorkload',
          data: { workloadId: entry.workloadId, releaseId: 'R-1' },
          metadata: s.meta(),
        },
        entry.reason,
      );
    else
      s.workload({
        type: 'DeferWorkload',
        data: { workloadId: entry.workloadId, releaseId: 'R-1', reason: entry.reason },
        metadata: s.meta(),
      });
  }
  s.release({
    type: 'IncludeWorkload',
    data: {
      releaseId: 'R-1',
      workloadId: 'W-3',
      team: 'ledger',
      jobSize: 13,
      exception: { reason: 'regulator deadline', approver: 'bob' },
    },
    metadata: s.meta(),
  });
  s.workload(
    { type: 'PlanWorkload', data: { workloadId: 'W-3', releaseId: 'R-1' }, metadata: s.meta() },
    'scope exception',
  );
  s.release({
    type: 'ExcludeWorkload',
    data: {
      releaseId: 'R-1',
      workloadId: 'W-2',
      exception: { reason: 'vendor late', approver: 'bob' },
    },
    metadata: s.meta(),
  });
  s.workload({
    type: 'DeferWorkload',
    data: { workloadId: 'W-2', releaseId: 'R-1', reason: 'excluded by exception' },
    metadata: s.meta(),
  });
  s.release({
    type: 'CloseRelease',
    data: { releaseId: 'R-1', completed: [{ workloadId: 'W-3', jobSize: 11 }] },
    metadata: s.meta(),
  });
  s.workload({
    type: 'CompleteWorkload',
    data: { workloadId: 'W-3', releaseId: 'R-1', completedJobSize: 11 },
    metadata: s.meta(),
  });

  s.release({
    type: 'PlanRelease',
    data: { releaseId: 'R-2', trainId: 'main', window: { start: at(30_000), end: at(40_000) } },
    metadata: s.meta(),
  });
  s.release({
    type: 'IncludeWorkload',
    data: { releaseId: 'R-2', workloadId: 'W-4' },
    metadata: s.meta(),
  });
  s.release({
    type: 'CancelRelease',
    data: { releaseId: 'R-2' },
    metadata: s.meta('alice', 'train cancelled'),
  });
  s.release({
    type: 'RequestEmergencyPatch',
    data: {
      releaseId: 'R-HOT',
      trackId: 'hotfix',
      workloadId: 'W-5',
      team: 'payments',
      jobSize: 1,
      severity: 5,
      linkedIncident: 'INC-1',
      approver: 'bob',
    },
    metadata: s.meta(),
  });
  s.workload(
    { type: 'PlanWorkload', data: { workloadId: 'W-5', releaseId: 'R-HOT' }, metadata: s.meta() },
    'emergency',
  );
  s.workload({
    type: 'WithdrawWorkload',
    data: { workloadId: 'W-6' },
    metadata: s.meta('alice', 'duplicate of W-2'),
  });
  s.apiVersion({
    type: 'DeprecateApiVersion',
    data: {
      api: 'accounts',
      version: 'v1',
      deprecatedAt: at(30),
      sunsetAt: at(60 * 24 * 90),
    },
    metadata: s.meta('carol', 'accounts v2 replaces it'),
  });
  return s;
};
