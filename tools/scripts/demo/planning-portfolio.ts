// The demo's portfolio (`npm run demo`): seven teams' workloads with dependencies, regulated
// data, API contracts and library versions, the same every run (sizes and values cycle through
// fixed patterns), and the velocity history the three closed releases report.
import { planning } from '@trainyard/grpc-contracts';

const { ComponentKind: K, ChangeType: C, RegulatedDataClass: D } = planning;
const FIB = [1, 2, 3, 5, 8, 13] as const;

export interface Spec {
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

/** The deprecated APIs some workloads consume: per run, since an announced timeline never changes. */
export interface DeprecatedApis {
  readonly legacyPayments: string;
  readonly accounts: string;
}

export const svc = (name: string) => ({ name, kind: K.COMPONENT_KIND_SERVICE });
const db = (name: string) => ({ name, kind: K.COMPONENT_KIND_DATABASE });
const infra = (name: string) => ({ name, kind: K.COMPONENT_KIND_INFRASTRUCTURE });

/** Titles per team; sizes and values cycle through fixed patterns so every run is the same portfolio. */
export const TEAMS: Record<string, { component: ReturnType<typeof svc>; titles: string[] }> = {
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
export const COMPONENT_OF: Record<string, ReturnType<typeof svc>> = Object.fromEntries(
  Object.entries(TEAMS).map(([team, t]) => [team, t.component]),
);

export function portfolio(apis: DeprecatedApis): Spec[] {
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
  patch('mobile-app-3', { consumedApis: [{ api: apis.legacyPayments, version: 'v1' }] });
  patch('search-3', { consumedApis: [{ api: apis.accounts, version: 'v1' }] });
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

export const HISTORY_TEAMS = ['payments', 'ledger', 'identity', 'mobile-app', 'search'];
/** What each team really gets done per release; the history reports it, whatever was planned. */
export const TEAM_VELOCITY: Record<string, readonly number[]> = {
  payments: [18, 16, 20],
  ledger: [14, 15, 13],
  identity: [12, 14, 13],
  'mobile-app': [11, 13, 12],
  search: [16, 15, 17],
};
