import { ValidationError } from '@trainyard/kernel';
import {
  DEFAULT_OVERRIDE_POLICY,
  assertValidOverridePolicy,
  requiredApprovals,
} from '../policy/override-policy';
import { FROM, HOUR, NOW, TO, activeOverride, at } from '../test-support/freeze-override.fixtures';
import { freezeOverrideDecider } from './freeze-override.decider';
import type { OverrideTerms } from './freeze-override.state';
import {
  coveringOverride,
  isOverrideActive,
  overrideCovers,
  parseRfc3339,
  scopeWithin,
} from './override-terms';

const active = activeOverride.reduce(
  freezeOverrideDecider.evolve,
  freezeOverrideDecider.initialState(),
);
const scope = { teams: ['storefront'], environments: ['prod'], components: ['checkout'] };
const slot = (startHours: number, hours = 1) => ({
  start: Date.parse(FROM) + startHours * HOUR,
  end: Date.parse(FROM) + (startHours + hours) * HOUR,
});

describe('isOverrideActive', () => {
  it('is active from the Nth approval until `to`, time-based', () => {
    expect(isOverrideActive(active, Date.parse(NOW) - 1)).toBe(false);
    expect(isOverrideActive(active, Date.parse(NOW))).toBe(true);
    expect(isOverrideActive(active, Date.parse(TO) - 1)).toBe(true);
    expect(isOverrideActive(active, Date.parse(TO))).toBe(false);
    expect(isOverrideActive(freezeOverrideDecider.initialState(), Date.parse(NOW))).toBe(false);
  });

  it('reads the same terms from a read-model row, and stops at a revocation', () => {
    const row: OverrideTerms = {
      overrideId: 'O-1',
      freezeId: 'F-1',
      scope,
      from: FROM,
      to: TO,
      activatedAt: NOW,
      revokedAt: at(FROM, 2),
    };
    expect(isOverrideActive(row, Date.parse(FROM))).toBe(true);
    expect(isOverrideActive(row, Date.parse(FROM) + 2 * HOUR)).toBe(false);
    expect(isOverrideActive({ ...row, activatedAt: null }, Date.parse(FROM))).toBe(false);
  });
});

describe('overrideCovers', () => {
  const atMs = Date.parse(NOW);
  it('lifts the freeze for a deployment inside the override, scope and interval', () => {
    expect(overrideCovers([active], scope, slot(1), atMs)).toBe(true);
    expect(overrideCovers([active], scope, slot(1), atMs, 'F-1')).toBe(true);
    expect(coveringOverride([active], scope, slot(1), atMs)).toBe(active);
  });

  it('lifts nothing for another freeze, scope, a slot past `to`, or decided after `to`', () => {
    expect(overrideCovers([active], scope, slot(1), atMs, 'F-2')).toBe(false);
    expect(overrideCovers([active], { ...scope, components: ['ledger'] }, slot(1), atMs)).toBe(
      false,
    );
    expect(overrideCovers([active], scope, slot(23, 2), atMs)).toBe(false);
    expect(overrideCovers([active], scope, slot(-4), atMs)).toBe(false);
    expect(overrideCovers([active], scope, slot(1), Date.parse(TO))).toBe(false);
    expect(overrideCovers([], scope, slot(1), atMs)).toBe(false);
  });
});

describe('scopeWithin', () => {
  it('needs every restricted dimension named and inside', () => {
    expect(scopeWithin({ components: ['a'] }, {})).toBe(true);
    expect(scopeWithin({ components: ['a'] }, { components: ['a', 'b'] })).toBe(true);
    expect(scopeWithin({}, { components: ['a'] })).toBe(false);
    expect(scopeWithin({ components: ['a', 'c'] }, { components: ['a', 'b'] })).toBe(false);
  });
});

describe('parseRfc3339', () => {
  it('reads offsets and refuses what is not an instant', () => {
    expect(parseRfc3339('from', '2031-05-04T14:00:00+02:00')).toBe(Date.parse(FROM) + 0 - 0);
    for (const bad of ['2031-05-04', '2031-02-29T00:00:00Z', '2031-05-04T24:00:00Z', 42, null, 'x'])
      expect(() => parseRfc3339('from', bad)).toThrow(ValidationError);
  });
});

describe('override policy', () => {
  it('requires the default without a matching rule, and the strictest matching rule otherwise', () => {
    expect(
      requiredApprovals(
        { environments: ['staging'], teams: ['storefront'] },
        DEFAULT_OVERRIDE_POLICY,
      ),
    ).toEqual({
      approvals: 2,
      ruleId: 'default',
    });
    expect(
      requiredApprovals({ environments: ['prod'], teams: ['storefront'] }, DEFAULT_OVERRIDE_POLICY),
    ).toEqual({
      approvals: 2,
      ruleId: 'prod-environment',
    });
    // Leaving the team open reaches the payments team too: a stricter rule cannot be dodged.
    expect(requiredApprovals({ environments: ['prod'] }, DEFAULT_OVERRIDE_POLICY)).toEqual({
      approvals: 3,
      ruleId: 'payments-team',
    });
  });

  it('is validated: positive numbers, unique rule ids, no rule below the default', () => {
    expect(assertValidOverridePolicy(DEFAULT_OVERRIDE_POLICY)).toBe(DEFAULT_OVERRIDE_POLICY);
    const fieldOf = (policy: typeof DEFAULT_OVERRIDE_POLICY): string | undefined => {
      try {
        assertValidOverridePolicy(policy);
        return undefined;
      } catch (error) {
        return (error as ValidationError).field;
      }
    };
    expect(fieldOf({ ...DEFAULT_OVERRIDE_POLICY, maxDurationHours: 0 })).toBe('maxDurationHours');
    expect(
      fieldOf({
        ...DEFAULT_OVERRIDE_POLICY,
        approvalRules: [{ id: 'lax', when: {}, approvals: 1 }],
      }),
    ).toBe('approvalRules[0].approvals');
  });
});
