// npm run demo — drives the running platform's public planning gRPC API (127.0.0.1:50051, or
// PLANNING_GRPC_ADDRESS) to build a realistic portfolio: seven teams, two release trains and an
// independent track, three closed releases of history, sixty workloads with dependencies, a
// compliance item and an emergency patch; commits the next release's scope and prints the plan
// with the reason for each workload. Ids carry a per-run suffix, so it can run again.
// Then the batch-job part (demo-jobs.ts): a month-end DAG across three teams on a shared
// database pool, applied as manifests, triggered and printed as run trees with timings.
import { randomBytes } from 'node:crypto';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { planning, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { localDir, signDevToken } from '@trainyard/infra';
import { prepareCompliancePolicy, runComplianceDemo } from './demo/compliance-demo';
import { monthEndJobs } from './demo-jobs';

const ADDRESS = process.env.PLANNING_GRPC_ADDRESS ?? '127.0.0.1:50051';
const RUN = randomBytes(2).toString('hex');
const id = (name: string): string => `${name}-${RUN}`;

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;
type PlanningClient = Client & Record<string, Unary>;

const PlanningService = (
  loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
    trainyard: {
      planning: {
        v1: {
          PlanningService: new (
            address: string,
            creds: ReturnType<typeof credentials.createInsecure>,
          ) => PlanningClient;
        };
      };
    };
  }
).trainyard.planning.v1.PlanningService;
const client = new PlanningService(ADDRESS, credentials.createInsecure());
let token = '';

// Scheduling places every committed release (issue 11): the demo reads the placed plan back.
const SCHEDULING_ADDRESS = process.env.SCHEDULING_GRPC_ADDRESS ?? '127.0.0.1:50052';
const DeploymentPlanService = (
  loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
    trainyard: {
      scheduling: {
        v1: {
          DeploymentPlanService: new (
            address: string,
            creds: ReturnType<typeof credentials.createInsecure>,
          ) => PlanningClient;
        };
      };
    };
  }
).trainyard.scheduling.v1.DeploymentPlanService;
const plans = new DeploymentPlanService(SCHEDULING_ADDRESS, credentials.createInsecure());

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

function getPlan(releaseId: string): Promise<PlacedPlan> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    const fn = plans.getDeploymentPlan;
    if (!fn) return reject(new Error('no method getDeploymentPlan'));
    fn.call(plans, { releaseId }, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
      error ? reject(error) : resolve(response as PlacedPlan),
    );
  });
}

/** Waits (up to a minute) for scheduling to place the release, then prints each slot and why. */
async function printDeploymentPlan(releaseId: string): Promise<void> {
  const until = Date.now() + 60_000;
  let placed: PlacedPlan | undefined;
  while (!placed?.plan && Date.now() < until) {
    placed = await getPlan(releaseId).catch((error: ServiceError) => {
      if (error.code === status.NOT_FOUND) return undefined; // not placed yet
      throw new Error(
        `cannot read the deployment plan from scheduling at ${SCHEDULING_ADDRESS}: ${error.details || error.message}`,
      );
    });
    if (!placed?.plan) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const plan = placed?.plan;
  if (!plan) {
    console.log(
      `\nScheduling has not placed ${releaseId} within a minute (is the scheduling service running?)`,
    );
    return;
  }
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

// The scheduling calendar and freeze overrides (issue 11), driven over gRPC like the rest.
const schedulingClient = (service: 'CalendarService' | 'FreezeOverrideService'): PlanningClient =>
  new (
    loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
      trainyard: {
        scheduling: {
          v1: Record<
            string,
            new (
              address: string,
              creds: ReturnType<typeof credentials.createInsecure>,
            ) => PlanningClient
          >;
        };
      };
    }
  ).trainyard.scheduling.v1[service]!(SCHEDULING_ADDRESS, credentials.createInsecure());
const calendarClient = schedulingClient('CalendarService');
const overrideClient = schedulingClient('FreezeOverrideService');

function unary<T>(
  target: PlanningClient,
  method: string,
  request: unknown,
  bearer: string,
): Promise<T> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  return new Promise((resolve, reject) => {
    const fn = target[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(target, request, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
      error
        ? reject(new Error(`${method}: ${error.details || error.message}`))
        : resolve(response as T),
    );
  });
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
      if (ours.test(entryId) && !entryId.endsWith(RUN)) stale.push(entryId);
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

function call<T>(method: string, request: unknown): Promise<T> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  metadata.set('x-correlation-id', `demo-${RUN}`);
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, metadata, { deadline: Date.now() + 30_000 }, (error, response) =>
      error
        ? reject(new Error(`${method}: ${error.details || error.message} (code ${error.code})`))
        : resolve(response as T),
    );
  });
}

// --- the portfolio -----------------------------------------------------------------------------

const { ComponentKind: K, ChangeType: C, RegulatedDataClass: D } = planning;
const FIB = [1, 2, 3, 5, 8, 13] as const;

interface Spec {
  readonly key: string;
  readonly team: string;
  readonly title: string;
  readonly components: readonly { name: string; kind: planning.ComponentKind }[];
  readonly job: number;
  readonly bv: number;
  readonly tc: number;
  readonly rr: number;
  readonly changeType?: planning.ChangeType;
  readonly dependsOn?: readonly string[]; // keys
  readonly regulatedData?: readonly planning.RegulatedDataClass[];
  readonly schemaChange?: boolean;
  readonly apiContract?: { api: string; version: string };
  readonly consumedApis?: readonly { api: string; version: string }[];
  readonly libraries?: readonly { name: string; version: string }[];
  readonly featureFlag?: string;
  readonly severity?: number;
  readonly linkedIncident?: string;
}

// Per run, since an announced deprecation timeline never changes.
const LEGACY_PAYMENTS_API = id('payments-legacy-api');
const ACCOUNTS_API = id('accounts-api');

const svc = (name: string) => ({ name, kind: K.COMPONENT_KIND_SERVICE });
const db = (name: string) => ({ name, kind: K.COMPONENT_KIND_DATABASE });
const infra = (name: string) => ({ name, kind: K.COMPONENT_KIND_INFRASTRUCTURE });

/** Titles per team; sizes and values cycle through fixed patterns so every run is the same portfolio. */
const TEAMS: Record<string, { component: ReturnType<typeof svc>; titles: string[] }> = {
  payments: {
    component: svc('payments-service'),
    titles: [
      'Split payments at checkout',
      'Retry failed card captures',
      'Refund status webhooks',
      'SEPA instant payouts',
      'Payment method tokenisation',
      'Chargeback evidence upload',
      'Currency rounding fix',
      'Fraud score threshold config',
      'Deprecate legacy payment API',
      'Apple Pay on web',
    ],
  },
  ledger: {
    component: svc('ledger-service'),
    titles: [
      'Double-entry journal export',
      'Month-end close automation',
      'Ledger balance snapshots',
      'FX revaluation job',
      'Reconciliation report v2',
      'Posting rules engine',
      'Ledger archive to cold storage',
      'Account hierarchy editor',
      'Intercompany settlement',
    ],
  },
  identity: {
    component: svc('identity-service'),
    titles: [
      'Accounts API v2',
      'Passkey sign-in',
      'Session revocation on password change',
      'SCIM provisioning',
      'MFA recovery codes',
      'Consent management',
      'Audit trail of admin actions',
      'Token lifetime config',
    ],
  },
  'mobile-app': {
    component: svc('mobile-bff'),
    titles: [
      'Mobile accounts screen on API v2',
      'Offline payment history',
      'Push notification preferences',
      'Biometric unlock',
      'In-app support chat',
      'Dark mode',
      'App start-up time budget',
      'Deep links for refunds',
      'Accessibility audit fixes',
    ],
  },
  search: {
    component: svc('search-service'),
    titles: [
      'Typo-tolerant merchant search',
      'Search ranking by recency',
      'Synonym dictionary',
      'Index rebuild without downtime',
      'Search analytics events',
      'Autocomplete latency fix',
      'Faceted transaction search',
      'Saved searches',
    ],
  },
  'data-insights': {
    component: svc('data-pipeline'),
    titles: [
      'Data lake partitioning by day',
      'Customer 360 model',
      'Churn prediction features',
      'Data quality checks',
      'GDPR erasure in the lake',
      'Revenue dashboard refresh',
      'Streaming ingestion of ledger events',
      'Warehouse cost guardrails',
      'Data catalogue lineage',
    ],
  },
  'platform-sre': {
    component: infra('k8s-cluster'),
    titles: [
      'Node pool autoscaling',
      'TLS certificate rotation',
      'Log retention policy',
      'DNS failover',
      'Kafka broker upgrade',
      'Backup restore drill automation',
    ],
  },
};
// The data platform train takes components named data-* (the service policy's routing rule).
const COMPONENT_OF: Record<string, ReturnType<typeof svc>> = Object.fromEntries(
  Object.entries(TEAMS).map(([team, t]) => [team, t.component]),
);

function portfolio(): Spec[] {
  const specs: Spec[] = [];
  let n = 0;
  for (const [team, { titles }] of Object.entries(TEAMS)) {
    titles.forEach((title, i) => {
      n += 1;
      specs.push({
        key: `${team}-${i + 1}`,
        team,
        title,
        components: [COMPONENT_OF[team] ?? svc(`${team}-service`)],
        job: FIB[(n * 7) % FIB.length] as number,
        bv: FIB[(n * 5 + 2) % FIB.length] as number,
        tc: FIB[(n * 3 + 1) % FIB.length] as number,
        rr: FIB[(n * 2) % 4] as number,
      });
    });
  }
  const patch = (key: string, change: Partial<Spec>): void => {
    const index = specs.findIndex((s) => s.key === key);
    specs[index] = { ...(specs[index] as Spec), ...change };
  };
  // Dependencies: within teams, across teams and across trains.
  patch('payments-2', { dependsOn: ['payments-1'] });
  patch('payments-4', {
    dependsOn: ['ledger-1'],
    regulatedData: [D.REGULATED_DATA_CLASS_FINANCIAL],
  });
  patch('payments-5', { dependsOn: ['identity-2'], regulatedData: [D.REGULATED_DATA_CLASS_PII] });
  patch('payments-7', {
    changeType: C.CHANGE_TYPE_DEFECT_FIX,
    linkedIncident: 'INC-2211',
    severity: 2,
  });
  patch('payments-8', {
    changeType: C.CHANGE_TYPE_CONFIGURATION_ONLY,
    featureFlag: 'fraud-threshold-v2',
  });
  patch('payments-9', { changeType: C.CHANGE_TYPE_TECHNICAL_DEBT });
  patch('ledger-2', { dependsOn: ['ledger-1'] });
  patch('ledger-3', { schemaChange: true, components: [svc('ledger-service'), db('ledger-db')] });
  patch('ledger-4', { dependsOn: ['ledger-3'] });
  patch('ledger-5', { dependsOn: ['ledger-2', 'search-5'] });
  patch('ledger-7', { changeType: C.CHANGE_TYPE_TECHNICAL_DEBT });
  patch('identity-1', { apiContract: { api: 'accounts', version: 'v2' }, bv: 13, tc: 8 });
  patch('identity-3', {
    changeType: C.CHANGE_TYPE_DEFECT_FIX,
    linkedIncident: 'INC-2230',
    severity: 3,
  });
  patch('identity-6', {
    regulatedData: [D.REGULATED_DATA_CLASS_PII],
    schemaChange: true,
    components: [svc('identity-service'), db('identity-db')],
  });
  patch('identity-7', {
    changeType: C.CHANGE_TYPE_COMPLIANCE_AUDIT,
    title: 'SOX: audit trail of admin actions',
    job: 8,
    bv: 3,
    tc: 3,
    rr: 5,
  });
  patch('identity-8', { changeType: C.CHANGE_TYPE_CONFIGURATION_ONLY });
  patch('mobile-app-1', {
    dependsOn: ['identity-1'],
    apiContract: { api: 'accounts', version: 'v2' },
    featureFlag: 'accounts-v2-screen',
  });
  patch('mobile-app-2', { dependsOn: ['payments-3'] });
  patch('mobile-app-4', { dependsOn: ['identity-2'] });
  patch('mobile-app-8', { dependsOn: ['payments-3', 'mobile-app-2'] });
  patch('search-2', { dependsOn: ['search-1'] });
  patch('search-4', {
    changeType: C.CHANGE_TYPE_TECHNICAL_DEBT,
    components: [svc('search-service'), db('search-index')],
  });
  patch('search-6', { changeType: C.CHANGE_TYPE_DEFECT_FIX });
  patch('data-insights-1', { components: [db('data-lake')], schemaChange: true });
  patch('data-insights-2', {
    dependsOn: ['data-insights-1'],
    regulatedData: [D.REGULATED_DATA_CLASS_PII],
  });
  patch('data-insights-3', { dependsOn: ['data-insights-2'] });
  patch('data-insights-5', {
    changeType: C.CHANGE_TYPE_COMPLIANCE_AUDIT,
    regulatedData: [D.REGULATED_DATA_CLASS_PII],
  });
  patch('data-insights-7', { dependsOn: ['ledger-1'] });
  patch('platform-sre-5', { dependsOn: ['platform-sre-1'] });
  // The shared auth client got a security fix (2.4.1) mid-cycle; not every team has moved to it.
  const authClient = (version: string) => ({ libraries: [{ name: 'auth-client', version }] });
  // The legacy payments API goes away before the next release opens; accounts v1 is on notice.
  patch('mobile-app-3', { consumedApis: [{ api: LEGACY_PAYMENTS_API, version: 'v1' }] });
  patch('search-3', { consumedApis: [{ api: ACCOUNTS_API, version: 'v1' }] });
  patch('identity-1', authClient('2.4.1'));
  patch('identity-7', authClient('2.4.1'));
  patch('payments-1', authClient('2.4.0'));
  patch('payments-7', authClient('2.3.5'));
  patch('mobile-app-2', authClient('2.3.5'));
  patch('search-1', authClient('2.4.1'));
  // The emergency: a critical incident on checkout, fixed outside the train.
  specs.push({
    key: 'payments-hotfix',
    team: 'payments',
    title: 'Hotfix: duplicate card captures (INC-2301)',
    components: [svc('payments-service')],
    job: 2,
    bv: 13,
    tc: 20,
    rr: 8,
    changeType: C.CHANGE_TYPE_EMERGENCY_PATCH,
    severity: 5,
    linkedIncident: 'INC-2301',
  });
  return specs;
}

const register = async (spec: Spec, reason: string): Promise<planning.Workload> => {
  const response = await call<planning.RegisterWorkloadResponse>('RegisterWorkload', {
    workloadId: id(spec.key),
    title: spec.title,
    team: spec.team,
    components: spec.components,
    regulatedData: spec.regulatedData ?? [],
    jobSize: spec.job,
    businessValue: spec.bv,
    timeCriticality: spec.tc,
    riskReduction: spec.rr,
    changeType: spec.changeType ?? C.CHANGE_TYPE_UNSPECIFIED,
    dependsOn: (spec.dependsOn ?? []).map(id),
    ...(spec.apiContract ? { apiContract: spec.apiContract } : {}),
    schemaChange: spec.schemaChange ?? false,
    libraries: spec.libraries ?? [],
    consumedApis: spec.consumedApis ?? [],
    featureFlag: spec.featureFlag ?? '',
    severity: spec.severity ?? 0,
    linkedIncident: spec.linkedIncident ?? '',
    reason,
  });
  if (!response.workload)
    throw new Error(`RegisterWorkload ${spec.key}: no workload in the response`);
  return response.workload;
};

// --- history: three closed releases on the main train -------------------------------------------

const HISTORY_TEAMS = ['payments', 'ledger', 'identity', 'mobile-app', 'search'];
/** What each team really gets done per release; the history reports it, whatever was planned. */
const TEAM_VELOCITY: Record<string, readonly number[]> = {
  payments: [18, 16, 20],
  ledger: [14, 15, 13],
  identity: [12, 14, 13],
  'mobile-app': [11, 13, 12],
  search: [16, 15, 17],
};

async function closedRelease(n: number, weeksAgo: number): Promise<void> {
  const releaseId = id(`main-h${n}`);
  for (const [t, team] of HISTORY_TEAMS.entries()) {
    for (let i = 1; i <= 4; i++) {
      await register(
        {
          key: `h${n}-${team}-${i}`,
          team,
          title: `${team} iteration ${n} item ${i}`,
          components: [COMPONENT_OF[team] ?? svc(`${team}-service`)],
          job: [5, 8, 3, 5][(n + t + i) % 4] as number,
          bv: 5,
          tc: 3,
          rr: 2,
        },
        `release ${n} backlog`,
      );
    }
  }
  const start = new Date(Date.now() - weeksAgo * 7 * 86_400_000);
  const end = new Date(start.getTime() + 13 * 86_400_000);
  await call('PlanRelease', {
    releaseId,
    trainId: 'main',
    windowStart: start.toISOString(),
    windowEnd: end.toISOString(),
    reason: 'history',
  });
  const committed = await call<planning.CommitReleaseScopeResponse>('CommitReleaseScope', {
    releaseId,
    reason: 'PI planning',
  });
  const included = (committed.plan?.entries ?? []).filter(
    (e) => e.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED,
  );
  // Teams deliver most of what they committed; one item per release slips back to the backlog.
  const slipped = [...included]
    .reverse()
    .find((e) => e.workloadId.startsWith(`h${n}-`))?.workloadId;
  // Delivered sizes are actuals, not estimates: each team's delivered items add up to its real
  // velocity that release, so the history does not simply echo the capacity it was planned with.
  const delivered = included.filter((e) => e.workloadId !== slipped);
  const completed = delivered.map((e) => {
    const team = delivered.filter((d) => d.team === e.team);
    const estimated = team.reduce((sum, d) => sum + d.jobSize, 0);
    const velocity = TEAM_VELOCITY[e.team]?.[n - 1] ?? estimated;
    return {
      workloadId: e.workloadId,
      jobSize: Math.max(1, Math.round((velocity * e.jobSize) / estimated)),
    };
  });
  const closed = await call<planning.CloseReleaseResponse>('CloseRelease', {
    releaseId,
    completed,
    reason: 'release retrospective',
  });
  console.log(
    `  ${releaseId}: closed — delivered ${closed.teams.map((t) => `${t.team} ${t.completedJobSize}/${t.plannedJobSize}`).join(', ')}; back to backlog: ${closed.notCompleted.length}`,
  );
}

/**
 * Earlier demo runs leave their deferred workloads in the backlog, where they would compete with
 * this run's portfolio; withdraw them (only the demo's own teams and id pattern) so every run plans the same.
 */
async function withdrawEarlierRuns(): Promise<number> {
  const pattern = /^(h\d-)?[a-z-]+-(\d+|hotfix)-[0-9a-f]{4}$/;
  const stale: string[] = [];
  for (const team of Object.keys(TEAMS)) {
    for (let page = 1; ; page++) {
      const result = await call<planning.ListWorkloadsResponse>('ListWorkloads', {
        state: 'WORKLOAD_STATE_BACKLOG',
        team,
        page,
        pageSize: 200,
      });
      stale.push(
        ...result.items.map((w) => w.workloadId).filter((workloadId) => pattern.test(workloadId)),
      );
      if (page * result.pageSize >= result.total) break;
    }
  }
  for (const workloadId of stale)
    await call('WithdrawWorkload', { workloadId, reason: `superseded by demo run ${RUN}` });
  return stale.length;
}

// --- output ------------------------------------------------------------------------------------

const pad = (text: string, width: number): string =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
const short = (enumValue: string, prefix: string): string =>
  enumValue.replace(`${prefix}_`, '').toLowerCase().replace(/_/g, '-');

function printPlan(plan: planning.Plan, capacity: planning.CapacityEstimate | undefined): void {
  console.log(
    `\nRelease ${plan.releaseId} on train ${plan.trainId} — policy ${plan.policyVersion}`,
  );
  console.log(
    `Capacity used ${plan.capacityUsed} of ${plan.capacityTotal}; tech-debt reserve ${plan.techDebt?.reserve ?? 0} (used ${plan.techDebt?.used ?? 0})`,
  );
  for (const t of capacity?.teams ?? [])
    console.log(
      `  capacity ${pad(t.team, 12)} ${String(t.capacity).padStart(4)}  ${t.explanation}`,
    );
  const header = `${'#'.padStart(3)}  ${pad('workload', 22)} ${pad('team', 13)} ${pad('title', 38)} ${'job'.padStart(3)} ${'WSJF'.padStart(5)}  ${pad('decision', 9)} reason`;
  console.log(`\n${header}\n${'-'.repeat(header.length + 40)}`);
  const sorted = [...plan.entries].sort((a, b) => a.order - b.order);
  for (const e of sorted) {
    console.log(
      `${String(e.order).padStart(3)}  ${pad(e.workloadId, 22)} ${pad(e.team, 13)} ${pad(e.title, 38)} ${String(e.jobSize).padStart(3)} ${e.wsjf.toFixed(2).padStart(5)}  ${pad(short(e.decision, 'SCOPE_DECISION'), 9)} ${e.reason}`,
    );
  }
  for (const a of plan.alerts) console.log(`ALERT ${a.type}: ${a.reason}`);
  for (const f of plan.couplingFlags) console.log(`integration testing: ${f.reason}`);
  for (const f of plan.deprecationFlags) console.log(`deprecated API: ${f.message}`);
  for (const skew of plan.versionSkews) {
    console.log(`version skew: ${skew.reason}`);
    for (const r of skew.resolutions)
      console.log(`  ${short(r.action, 'SKEW_ACTION')}: ${r.reason}`);
  }
  for (const g of plan.contractGroups)
    console.log(
      `deploy together (${g.contract}): ${g.workloadIds.join(', ')}${g.decoupledByFlag.length ? `; behind a flag: ${g.decoupledByFlag.join(', ')}` : ''}`,
    );
  const waves = new Map<number, string[]>();
  for (const d of plan.deploymentOrder)
    waves.set(d.wave, [...(waves.get(d.wave) ?? []), d.workloadId]);
  for (const [wave, ids] of [...waves].sort((a, b) => a[0] - b[0]))
    console.log(`wave ${wave}: ${ids.join(', ')}`);
}

async function main(): Promise<void> {
  token = await signDevToken({ roles: ['admin'], subject: 'demo-release-manager' });
  const tracks = await call<planning.ListTracksResponse>('ListTracks', {}).catch((error: Error) => {
    throw new Error(
      `cannot reach the planning service at ${ADDRESS} (is the platform running? \`npm start\`): ${error.message}`,
    );
  });
  console.log(
    `Planning policy ${tracks.policyVersion}; tracks: ${tracks.tracks.map((t) => `${t.trackId} (${short(t.kind, 'TRACK_KIND')})`).join(', ')}`,
  );
  const withdrawn = await withdrawEarlierRuns();
  console.log(
    `Run suffix ${RUN}${withdrawn > 0 ? `; withdrew ${withdrawn} backlog workloads left by earlier demo runs` : ''}`,
  );
  console.log('\nHistory: three closed releases of the main train');
  for (const [n, weeksAgo] of [
    [1, 8],
    [2, 6],
    [3, 4],
  ] as const)
    await closedRelease(n, weeksAgo);

  const day = 86_400_000;
  await call('DeprecateApiVersion', {
    api: LEGACY_PAYMENTS_API,
    version: 'v1',
    deprecatedAt: new Date(Date.now() - 60 * day).toISOString(),
    sunsetAt: new Date(Date.now() + 3 * day).toISOString(),
    reason: 'replaced by the payments API v2; removal announced at the architecture board',
  });
  await call('DeprecateApiVersion', {
    api: ACCOUNTS_API,
    version: 'v1',
    deprecatedAt: new Date(Date.now() - 30 * day).toISOString(),
    reason: 'accounts API v2 (identity-1) replaces it',
  });
  console.log(
    `\nAPI deprecations: ${LEGACY_PAYMENTS_API} v1 (removed in 3 days), ${ACCOUNTS_API} v1 (deprecated)`,
  );

  // Compliance (issue 13): its change-control policy active before the portfolio arrives.
  const complianceTarget = {
    grpcAddress: process.env.COMPLIANCE_GRPC_ADDRESS ?? '127.0.0.1:50054',
    httpUrl: process.env.COMPLIANCE_HTTP_URL ?? 'http://127.0.0.1:3004',
    sign: (roles: readonly string[], subject: string) => signDevToken({ roles, subject }),
  };
  const compliancePeriodFrom = new Date(Date.now() - 1000).toISOString();
  await prepareCompliancePolicy(complianceTarget);

  const specs = portfolio();
  console.log(
    `\nPortfolio: registering ${specs.length} workloads for ${Object.keys(TEAMS).length} teams`,
  );
  const registered = new Map<string, planning.Workload>();
  for (const spec of specs) registered.set(spec.key, await register(spec, 'portfolio intake'));
  const byTrack = new Map<string, number>();
  for (const w of registered.values()) byTrack.set(w.trackId, (byTrack.get(w.trackId) ?? 0) + 1);
  console.log(`  routed: ${[...byTrack].map(([t, n]) => `${t} ${n}`).join(', ')}`);
  const compliance = [...registered.values()]
    .filter((w) => w.changeType === C.CHANGE_TYPE_COMPLIANCE_AUDIT)
    .map((w) => w.workloadId);
  console.log(`  compliance items: ${compliance.join(', ')}`);

  const hotfix = id('hotfix-inc-2301');
  await call('RequestEmergencyPatch', {
    releaseId: hotfix,
    trackId: 'hotfix',
    workloadId: id('payments-hotfix'),
    approver: 'cab-chair',
    reason: 'INC-2301: customers charged twice',
  });
  console.log(
    `\nEmergency patch ${hotfix} scheduled on the hotfix track for ${id('payments-hotfix')} (approved by cab-chair)`,
  );

  const start = new Date(Date.now() + 7 * 86_400_000);
  const window = {
    windowStart: start.toISOString(),
    windowEnd: new Date(start.getTime() + 13 * 86_400_000).toISOString(),
  };
  const main = id('main-2');
  const data = id('data-1');
  const infraRelease = id('infra-1');
  await call('PlanRelease', {
    releaseId: main,
    trainId: 'main',
    ...window,
    reason: 'next increment',
  });
  await call('PlanRelease', {
    releaseId: data,
    trainId: 'data',
    ...window,
    reason: 'next increment',
  });
  await call('PlanRelease', {
    releaseId: infraRelease,
    trainId: 'infrastructure',
    ...window,
    reason: 'maintenance window',
  });
  await call('NegotiateReleaseScope', {
    releaseId: main,
    workloadId: id('search-3'),
    change: 'SCOPE_CHANGE_INCLUDE',
    reason: 'promised to the merchant council',
  });
  await call('NegotiateReleaseScope', {
    releaseId: main,
    workloadId: id('mobile-app-6'),
    change: 'SCOPE_CHANGE_EXCLUDE',
    reason: 'design not signed off',
  });

  const { overrideId } = await defineCalendar();

  const preview = await call<planning.AllocateReleaseResponse>('AllocateRelease', {
    releaseId: main,
  });
  const committed = await call<planning.CommitReleaseScopeResponse>('CommitReleaseScope', {
    releaseId: main,
    reason: 'PI planning outcome',
  });
  if (!committed.plan) throw new Error('commit returned no plan');
  printPlan(committed.plan, preview.capacity);
  for (const w of committed.warnings) console.log(`warning: ${w}`);

  for (const releaseId of [data, infraRelease]) {
    const other = await call<planning.CommitReleaseScopeResponse>('CommitReleaseScope', {
      releaseId,
      reason: 'PI planning outcome',
    });
    const entries = other.plan?.entries ?? [];
    console.log(
      `\n${releaseId}: ${other.status.replace('RELEASE_STATUS_', '').toLowerCase()}, ${entries.filter((e) => e.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED).length} included, ${entries.filter((e) => e.decision === planning.ScopeDecision.SCOPE_DECISION_DEFERRED).length} deferred, capacity ${other.plan?.capacityUsed}/${other.plan?.capacityTotal}`,
    );
  }

  const deferred = committed.plan.entries.find(
    (e) =>
      e.decision === planning.ScopeDecision.SCOPE_DECISION_DEFERRED &&
      !e.reason.includes('depends on'),
  );
  if (deferred) {
    const exception = await call<planning.RequestScopeExceptionResponse>('RequestScopeException', {
      releaseId: main,
      workloadId: deferred.workloadId,
      change: 'SCOPE_CHANGE_INCLUDE',
      reason: 'regulator deadline moved forward',
      approver: 'head-of-delivery',
    });
    console.log(
      `\nScope exception: ${deferred.workloadId} included after commit (approved by head-of-delivery); capacity now ${exception.capacityUsed} of ${exception.capacityTotal}`,
    );
  }

  await printDeploymentPlan(main);
  await printOverride(overrideId);

  const release = await call<planning.GetReleaseResponse>('GetRelease', { releaseId: main });
  console.log(
    `\nRead model: ${main} has ${release.release?.scope.filter((s) => s.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED).length} workloads in scope, capacity used ${release.release?.capacityUsed} of ${release.release?.capacityTotal}`,
  );
  const health = await call<planning.GetBacklogHealthResponse>('GetBacklogHealth', {});
  console.log(
    `Backlog health: ${health.deferredWorkloads} deferred workloads; ${health.teams.map((t) => `${t.team} ${t.deferredWorkloads}/${t.openWorkloads} (max ${t.maxDeferralCount}×)`).join(', ')}`,
  );
  const deprecations = await call<planning.ListApiDeprecationsResponse>('ListApiDeprecations', {});
  const ours = deprecations.flags.filter((f) => f.api.endsWith(RUN));
  console.log(
    `API deprecations: ${ours.length} open workloads on deprecated versions${ours.length ? `: ${ours.map((f) => f.message).join('; ')}` : ''}`,
  );
  const matrix = await call<planning.GetDependencyMatrixResponse>('GetDependencyMatrix', {});
  console.log(
    `Dependency matrix: ${matrix.crossTeamEdges} cross-team edges; ${matrix.cells
      .filter((c) => c.integrationTestingRequired)
      .map((c) => `${c.dependentTeam}→${c.providerTeam} ${c.edges}`)
      .join(', ')}`,
  );
  console.log(
    `\nREST: http://127.0.0.1:3001/api/planning/releases/${main} (OpenAPI at /api/planning/docs)`,
  );

  const included = new Set(
    (release.release?.scope ?? [])
      .filter((s) => s.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED)
      .map((s) => s.workloadId),
  );
  const regulated = [...registered.values()].filter((w) => w.regulatedData.length > 0);
  await runComplianceDemo(complianceTarget, {
    run: RUN,
    releaseId: main,
    // The regulated workloads in main's committed scope (all of them if none made it in).
    regulatedWorkloadIds: (regulated.some((w) => included.has(w.workloadId))
      ? regulated.filter((w) => included.has(w.workloadId))
      : regulated
    ).map((w) => w.workloadId),
    emergencyWorkloadId: id('payments-hotfix'),
    author: 'demo-release-manager',
    periodFrom: compliancePeriodFrom,
    outDir: localDir('demo'),
    erasure: { planningGrpcAddress: ADDRESS },
  });

  // Batch jobs (issue 12): the month-end DAG across payments, finance and reporting.
  await monthEndJobs(SCHEDULING_ADDRESS);
}

main()
  .then(() => {
    client.close();
    plans.close();
    calendarClient.close();
    overrideClient.close();
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    client.close();
    plans.close();
    calendarClient.close();
    overrideClient.close();
    process.exit(1);
  });
