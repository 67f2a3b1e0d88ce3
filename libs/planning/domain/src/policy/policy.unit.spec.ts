import { ValidationError } from '@trainyard/kernel';
import { assessRisk, classifyChange } from './classification';
import type { PlanningPolicy } from './planning-policy';
import { DEFAULT_PLANNING_POLICY, assertValidPolicy } from './planning-policy';
import { routeComponent, routeWorkload } from './routing';
import type { WorkloadFacts } from './workload-facts';

const facts = (overrides: Partial<WorkloadFacts> = {}): WorkloadFacts => ({
  team: 'payments',
  components: [{ name: 'checkout-service', kind: 'service' }],
  regulatedData: [],
  schemaChange: false,
  ...overrides,
});
const classify = (overrides: Partial<WorkloadFacts>) =>
  classifyChange(facts(overrides), DEFAULT_PLANNING_POLICY);

describe('change classification rules', () => {
  it.each([
    ['emergency-declared', 'emergency-patch', { changeType: 'emergency-patch' as const }],
    ['severe-incident-fix', 'emergency-patch', { linkedIncident: 'INC-1', severity: 5 }],
    ['compliance-declared', 'compliance-audit', { changeType: 'compliance-audit' as const }],
    ['defect-declared', 'defect-fix', { changeType: 'defect-fix' as const }],
    ['incident-linked', 'defect-fix', { linkedIncident: 'INC-1', severity: 2 }],
    ['tech-debt-declared', 'technical-debt', { changeType: 'technical-debt' as const }],
    ['configuration-only', 'configuration-only', { changeType: 'configuration-only' as const }],
    [
      'infrastructure-config',
      'configuration-only',
      { components: [{ name: 'dns', kind: 'infrastructure' as const }] },
    ],
    ['fallback', 'net-new-feature', {}],
  ])('rule %s classifies as %s', (ruleId, changeType, overrides) => {
    expect(classify(overrides)).toMatchObject({ ruleId, changeType });
  });

  it('does not believe a configuration-only hint for a schema change', () => {
    expect(classify({ changeType: 'configuration-only', schemaChange: true })).toMatchObject({
      changeType: 'net-new-feature',
      ruleId: 'fallback',
    });
  });

  it('does not believe a configuration-only hint for an API contract change', () => {
    expect(
      classify({ changeType: 'configuration-only', apiContract: { api: 'orders', version: 'v2' } })
        .changeType,
    ).toBe('net-new-feature');
  });

  it('evaluates rules given as data, first match wins', () => {
    const policy: PlanningPolicy = {
      ...DEFAULT_PLANNING_POLICY,
      classification: {
        rules: [
          {
            id: 'flags-are-config',
            changeType: 'configuration-only',
            when: { hasFeatureFlag: true },
          },
        ],
        fallback: 'technical-debt',
      },
    };
    expect(classifyChange(facts({ featureFlag: 'x' }), policy).changeType).toBe(
      'configuration-only',
    );
    expect(classifyChange(facts(), policy).changeType).toBe('technical-debt');
  });
});

describe('risk tier rules', () => {
  it('starts from the change type’s base tier', () => {
    expect(assessRisk(facts(), 'configuration-only', DEFAULT_PLANNING_POLICY)).toEqual({
      tier: 'low',
      approvalPath: 'automated-tests + peer review',
      reasons: ['base tier low for configuration-only'],
    });
  });

  it('raises the tier for regulated data', () => {
    expect(
      assessRisk(
        facts({ regulatedData: ['health'] }),
        'configuration-only',
        DEFAULT_PLANNING_POLICY,
      ).tier,
    ).toBe('medium');
  });

  it('raises the tier for a database schema change', () => {
    const risk = assessRisk(facts({ schemaChange: true }), 'defect-fix', DEFAULT_PLANNING_POLICY);
    expect(risk.tier).toBe('high');
    expect(risk.approvalPath).toBe('full-regression + CAB approval');
  });

  it('caps at high', () => {
    expect(
      assessRisk(
        facts({ schemaChange: true, regulatedData: ['pii'] }),
        'emergency-patch',
        DEFAULT_PLANNING_POLICY,
      ).tier,
    ).toBe('high');
  });
});

describe('routing rules', () => {
  it('routes infrastructure to its independent track and everything else to the main train', () => {
    expect(
      routeComponent({ name: 'dns', kind: 'infrastructure' }, 'platform', DEFAULT_PLANNING_POLICY),
    ).toEqual({
      component: 'dns',
      trackId: 'infrastructure',
      trackKind: 'independent',
      ruleId: 'infrastructure-independent',
    });
    expect(
      routeComponent({ name: 'orders-db', kind: 'database' }, 'orders', DEFAULT_PLANNING_POLICY),
    ).toMatchObject({
      trackId: 'main',
      ruleId: 'default',
    });
  });

  it('lets independent components ride with a workload’s train', () => {
    const route = routeWorkload(
      facts({
        components: [
          { name: 'dns', kind: 'infrastructure' },
          { name: 'checkout-service', kind: 'service' },
        ],
      }),
      DEFAULT_PLANNING_POLICY,
    );
    expect(route).toMatchObject({ trackId: 'main', trackKind: 'train' });
  });

  it('routes a purely independent workload to its track', () => {
    expect(
      routeWorkload(
        facts({ components: [{ name: 'dns', kind: 'infrastructure' }] }),
        DEFAULT_PLANNING_POLICY,
      ),
    ).toMatchObject({
      trackId: 'infrastructure',
      trackKind: 'independent',
    });
  });

  it('matches routing rules by team', () => {
    const policy: PlanningPolicy = {
      ...DEFAULT_PLANNING_POLICY,
      routing: {
        ...DEFAULT_PLANNING_POLICY.routing,
        rules: [{ id: 'ml-alone', match: { team: 'ml' }, trackId: 'infrastructure' }],
      },
    };
    expect(routeComponent({ name: 'model', kind: 'service' }, 'ml', policy).trackId).toBe(
      'infrastructure',
    );
  });
});

describe('policy validation', () => {
  it('accepts the defaults', () => {
    expect(assertValidPolicy(DEFAULT_PLANNING_POLICY)).toBe(DEFAULT_PLANNING_POLICY);
  });

  it.each([
    [
      'allocation.teamCapShare',
      { ...DEFAULT_PLANNING_POLICY, allocation: { teamCapShare: 1.5, techDebtReserveShare: 0.2 } },
    ],
    [
      'capacity.percentile',
      {
        ...DEFAULT_PLANNING_POLICY,
        capacity: { ...DEFAULT_PLANNING_POLICY.capacity, percentile: 130 },
      },
    ],
    [
      'routing.rules[0].trackId',
      {
        ...DEFAULT_PLANNING_POLICY,
        routing: {
          ...DEFAULT_PLANNING_POLICY.routing,
          rules: [{ id: 'x', match: {}, trackId: 'nowhere' }],
        },
      },
    ],
  ])('refuses an invalid %s', (field, policy) => {
    expect(() => assertValidPolicy(policy)).toThrow(ValidationError);
    expect(() => assertValidPolicy(policy)).toThrow(expect.objectContaining({ field }) as Error);
  });
});
