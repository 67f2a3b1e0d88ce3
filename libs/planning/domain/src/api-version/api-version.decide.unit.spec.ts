import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { allocate } from '../allocation/allocate';
import { candidate, meta, registration } from '../test-support/planning.fixtures';
import { decideWorkload } from '../workload/workload.decide';
import { initialWorkload } from '../workload/workload.state';
import type { DeprecateApiVersion } from './api-version.commands';
import { decideApiVersion } from './api-version.decide';
import type { ApiVersionEvent } from './api-version.events';
import { evolveApiVersion } from './api-version.evolve';
import { initialApiVersion, type ApiVersion } from './api-version.state';

const given = (events: readonly ApiVersionEvent[]): ApiVersion =>
  events.reduce(evolveApiVersion, initialApiVersion());
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
      expect(decideApiVersion(deprecate(), given([]))).toEqual([
        {
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
        },
      ]);
    });

    it('needs a reason, instants, and a sunset after the deprecation', () => {
      expect(() => decideApiVersion(deprecate({}, ''), given([]))).toThrow(
        expect.objectContaining({ field: 'reason' }) as Error,
      );
      expect(() => decideApiVersion(deprecate({ deprecatedAt: 'soon' }), given([]))).toThrow(
        expect.objectContaining({ field: 'deprecatedAt' }) as Error,
      );
      expect(() =>
        decideApiVersion(deprecate({ sunsetAt: '2026-09-01T00:00:00Z' }), given([])),
      ).toThrow(expect.objectContaining({ kind: 'validation', field: 'sunsetAt' }) as Error);
      expect(() => decideApiVersion(deprecate({ api: ' ' }), given([]))).toThrow(
        expect.objectContaining({ field: 'api' }) as Error,
      );
    });
  });

  describe('given a deprecated version', () => {
    const state = () => given(decideApiVersion(deprecate(), given([])));

    it('does nothing when the same timeline is announced again (a retry)', () => {
      expect(
        decideApiVersion(deprecate({ sunsetAt: '2027-01-01T00:00:00.000Z' }), state()),
      ).toEqual([]);
    });

    it('refuses a different timeline, naming the rule', () => {
      expect(() =>
        decideApiVersion(deprecate({ sunsetAt: '2027-06-01T00:00:00Z' }), state()),
      ).toThrow(
        expect.objectContaining({
          kind: 'rule_violation',
          rule: 'api-deprecation-timeline-fixed',
        }) as Error,
      );
    });
  });

  describe('a workload registration consuming API versions', () => {
    const register = (consumedApis: { api: string; version: string }[]) =>
      decideWorkload(
        { type: 'RegisterWorkload', data: registration({ consumedApis }), metadata: meta() },
        initialWorkload(),
        { policy: DEFAULT_PLANNING_POLICY, apiLifecycles: lifecycles },
      );

    it('is refused when a consumed version is already past its sunset', () => {
      expect(() => register([{ api: 'accounts', version: 'v1' }])).toThrow(
        expect.objectContaining({ rule: 'api-version-sunset' }) as Error,
      );
    });

    it('is accepted on a deprecated version before its sunset, and records what it consumes', () => {
      const [event] = register([
        { api: 'ledger', version: 'v3' },
        { api: 'accounts', version: 'v2' },
      ]);
      expect(event?.data).toMatchObject({
        consumedApis: [
          { api: 'ledger', version: 'v3' },
          { api: 'accounts', version: 'v2' },
        ],
      });
    });

    it('refuses an API listed twice, naming the field', () => {
      expect(() =>
        register([
          { api: 'accounts', version: 'v2' },
          { api: 'accounts', version: 'v2' },
        ]),
      ).toThrow(expect.objectContaining({ field: 'consumedApis[1]' }) as Error);
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
