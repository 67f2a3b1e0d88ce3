import { DeciderSpecification, RuleViolation, ValidationError } from '@trainyard/kernel';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { allocate } from '../allocation/allocate';
import { candidate, meta, registration } from '../test-support/planning.fixtures';
import type { WorkloadCommand } from '../workload/workload.commands';
import { workloadDecider } from '../workload/workload.decider';
import type { WorkloadRegistered } from '../workload/workload.events';
import type { DeprecateApiVersion } from './api-version.commands';
import { apiVersionDecider } from './api-version.decider';
import type { ApiVersionDeprecated } from './api-version.events';

const given = DeciderSpecification.for(apiVersionDecider);
const deprecate = (
  data: Partial<DeprecateApiVersion['data']> = {},
  reason = 'v2 replaces it',
): DeprecateApiVersion => ({
  type: 'DeprecateApiVersion',
  data: {
    api: 'accounts',
    version: 'v1',
    deprecatedAt: '2026-10-01T00:00:00Z',
    sunsetAt: '2027-01-01T00:00:00Z',
    ...data,
  },
  metadata: meta(reason ? { reason } : {}),
});
const deprecated: ApiVersionDeprecated = {
  type: 'ApiVersionDeprecated',
  data: {
    api: 'accounts',
    version: 'v1',
    deprecatedAt: '2026-10-01T00:00:00Z',
    sunsetAt: '2027-01-01T00:00:00Z',
    reason: 'v2 replaces it',
    deprecatedBy: 'alice',
    recordedAt: meta().now,
  },
};

/** accounts v1 is removed on 1 June 2026; ledger v3 is deprecated without a removal date. */
const lifecycles = [
  {
    api: 'accounts',
    version: 'v1',
    deprecatedAt: '2026-01-01T00:00:00Z',
    sunsetAt: '2026-06-01T00:00:00Z',
  },
  { api: 'ledger', version: 'v3', deprecatedAt: '2026-03-01T00:00:00Z' },
];

describe('API version deprecation', () => {
  describe('given a version in use', () => {
    it('records the deprecation timeline with who and why', () => {
      given([]).when(deprecate()).then([deprecated]);
    });

    it('needs a reason, instants, and a sunset after the deprecation', () => {
      given([]).when(deprecate({}, '')).thenThrows(ValidationError, { field: 'reason' });
      given([])
        .when(deprecate({ deprecatedAt: 'soon' }))
        .thenThrows(ValidationError, { field: 'deprecatedAt' });
      given([])
        .when(deprecate({ sunsetAt: '2026-09-01T00:00:00Z' }))
        .thenThrows(ValidationError, { kind: 'validation', field: 'sunsetAt' });
      given([])
        .when(deprecate({ api: ' ' }))
        .thenThrows(ValidationError, { field: 'api' });
    });
  });

  describe('given a deprecated version', () => {
    it('does nothing when the same timeline is announced again (a retry)', () => {
      given([deprecated])
        .when(deprecate({ sunsetAt: '2027-01-01T00:00:00.000Z' }))
        .thenNothingHappened();
    });

    it('refuses a different timeline, naming the rule', () => {
      given([deprecated])
        .when(deprecate({ sunsetAt: '2027-06-01T00:00:00Z' }))
        .thenThrows(RuleViolation, {
          kind: 'rule_violation',
          rule: 'api-deprecation-timeline-fixed',
        });
    });
  });

  describe('a workload registration consuming API versions', () => {
    const givenWorkload = DeciderSpecification.for(workloadDecider, {
      policy: DEFAULT_PLANNING_POLICY,
      apiLifecycles: lifecycles,
    });
    const register = (consumedApis: { api: string; version: string }[]): WorkloadCommand => ({
      type: 'RegisterWorkload',
      data: registration({ consumedApis }),
      metadata: meta(),
    });

    it('is refused when a consumed version is already past its sunset', () => {
      givenWorkload([])
        .when(register([{ api: 'accounts', version: 'v1' }]))
        .thenThrows(RuleViolation, { rule: 'api-version-sunset' });
    });

    it('is accepted on a deprecated version before its sunset, and records what it consumes', () => {
      givenWorkload([])
        .when(
          register([
            { api: 'ledger', version: 'v3' },
            { api: 'accounts', version: 'v2' },
          ]),
        )
        .thenEvents(([event]) =>
          expect((event as WorkloadRegistered).data).toMatchObject({
            consumedApis: [
              { api: 'ledger', version: 'v3' },
              { api: 'accounts', version: 'v2' },
            ],
          }),
        );
    });

    it('refuses an API listed twice, naming the field', () => {
      givenWorkload([])
        .when(
          register([
            { api: 'accounts', version: 'v2' },
            { api: 'accounts', version: 'v2' },
          ]),
        )
        .thenThrows(ValidationError, { field: 'consumedApis[1]' });
    });
  });
});

describe('API deprecation in a release plan', () => {
  const plan = (asOf: string) =>
    allocate({
      release: { releaseId: 'R-1', trainId: 'main' },
      candidates: [
        candidate({ workloadId: 'W-1', consumedApis: [{ api: 'accounts', version: 'v1' }] }),
        candidate({ workloadId: 'W-2', dependsOn: ['W-1'] }),
        candidate({ workloadId: 'W-3', consumedApis: [{ api: 'ledger', version: 'v3' }] }),
      ],
      capacityByTeam: { payments: 50 },
      policy: {
        ...DEFAULT_PLANNING_POLICY,
        allocation: { teamCapShare: 1, techDebtReserveShare: 0 },
      },
      apiLifecycles: lifecycles,
      asOf,
    });

  it('defers a workload consuming a version removed before the release ships, and what depends on it', () => {
    const { entries, deprecationFlags } = plan('2026-07-01T00:00:00Z');
    expect(entries.map((e) => [e.workloadId, e.decision, e.reason])).toEqual(
      expect.arrayContaining([
        ['W-1', 'deferred', 'deferred: consumes accounts v1, removed at 2026-06-01T00:00:00Z'],
        ['W-2', 'deferred', 'deferred: depends on W-1 which is deferred'],
        ['W-3', 'included', expect.stringContaining('included') as string],
      ]),
    );
    expect(deprecationFlags).toEqual([
      expect.objectContaining({ consumer: 'W-3', api: 'ledger', status: 'deprecated' }),
    ]);
  });

  it('includes it before the sunset, flagged as a consumer of a deprecated version', () => {
    const { entries, deprecationFlags } = plan('2026-05-01T00:00:00Z');
    expect(entries.every((e) => e.decision === 'included')).toBe(true);
    expect(deprecationFlags.map((f) => [f.consumer, f.api, f.status])).toEqual([
      ['W-1', 'accounts', 'deprecated'],
      ['W-3', 'ledger', 'deprecated'],
    ]);
  });
});
