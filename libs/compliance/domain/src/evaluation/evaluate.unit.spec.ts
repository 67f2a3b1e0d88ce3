import fc from 'fast-check';
import { noHighRiskSchemaChange, twoApprovers } from '../test-support/compliance.fixtures';
import type { PolicyBundleVersion, PolicyRule } from '../policy/policy-rule';
import { isCelError, parse, plan, celEnv } from '@bufbuild/cel';
import { toCelInput, type Facts, type FactValue } from './cel-values';
import { evaluatePolicyBundle, replayEvaluation } from './evaluate';

const bundle = (rules: readonly PolicyRule[], version = '1.0.0'): PolicyBundleVersion => ({
  policyId: 'change-control',
  version,
  rules,
});
const workload = (facts: Partial<Record<string, FactValue>>): Facts => ({
  regulatedData: ['pii'],
  approvals: ['bob'],
  riskTier: 'high',
  schemaChange: false,
  ...facts,
});

describe('policy evaluation: explanations', () => {
  it('blocks and names the sub-expression that decided, with the values it saw', () => {
    const evaluation = evaluatePolicyBundle(
      bundle([twoApprovers]),
      'workload-registered',
      workload({}),
    );
    expect(evaluation.result).toBe('blocked');
    const [rule] = evaluation.rules;
    expect(rule?.outcome).toBe('failed');
    expect(rule?.reason).toContain(
      '`facts.approvals.size() >= 2` was false (facts.approvals.size() = 1)',
    );
    expect(rule?.reason).toContain(
      '`size(facts.regulatedData) == 0` was false (size(facts.regulatedData) = 1)',
    );
    expect(rule?.controls).toEqual(['SOC2:CC8.1', 'ISO27001:A.8.32']);
  });

  it('allows when the first disjunct decides, and does not list the one not evaluated', () => {
    const evaluation = evaluatePolicyBundle(
      bundle([twoApprovers]),
      'workload-registered',
      workload({ regulatedData: [] }),
    );
    expect(evaluation.result).toBe('allowed');
    expect(evaluation.rules[0]?.reason).toBe(
      '`size(facts.regulatedData) == 0` was true (size(facts.regulatedData) = 0).',
    );
    expect(evaluation.rules[0]?.trace.steps).toHaveLength(1);
  });

  it('warns for a failing warn rule, explaining the negated conjunction', () => {
    const evaluation = evaluatePolicyBundle(
      bundle([noHighRiskSchemaChange]),
      'workload-registered',
      workload({ schemaChange: true }),
    );
    expect(evaluation.result).toBe('warned');
    expect(evaluation.rules[0]?.reason).toContain(
      '`facts.riskTier == \'high\'` was true (facts.riskTier = "high")',
    );
    expect(evaluation.rules[0]?.reason).toContain('`facts.schemaChange` was true');
  });

  it('makes a rule that errors an error outcome that blocks, explained, never a silent pass', () => {
    const evaluation = evaluatePolicyBundle(bundle([twoApprovers]), 'workload-registered', {
      regulatedData: ['pii'],
    });
    expect(evaluation.result).toBe('blocked');
    expect(evaluation.rules[0]?.outcome).toBe('error');
    expect(evaluation.rules[0]?.reason).toMatch(
      /could not be evaluated, which counts as a block: `facts.approvals.size\(\) >= 2` failed: .*approvals/,
    );
  });

  it('makes an error in a warn rule a warning', () => {
    const evaluation = evaluatePolicyBundle(
      bundle([noHighRiskSchemaChange]),
      'workload-registered',
      {},
    );
    expect(evaluation.result).toBe('warned');
    expect(evaluation.rules[0]?.outcome).toBe('error');
  });

  it('evaluates only the rules whose triggers match', () => {
    const evaluation = evaluatePolicyBundle(bundle([twoApprovers]), 'scope-committed', {});
    expect(evaluation).toMatchObject({ result: 'allowed', rules: [] });
  });

  it('explains macros, in and method calls', () => {
    const rule: PolicyRule = {
      ...twoApprovers,
      expression:
        "facts.approvals.exists(a, a == facts.registeredBy) || !('health' in facts.regulatedData) && facts.team.startsWith('pay')",
    };
    const evaluation = evaluatePolicyBundle(
      bundle([rule]),
      'workload-registered',
      workload({ registeredBy: 'alice', team: 'search' }),
    );
    expect(evaluation.rules[0]?.outcome).toBe('failed');
    expect(evaluation.rules[0]?.reason).toContain(
      '`facts.team.startsWith(\'pay\')` was false (facts.team = "search")',
    );
    expect(evaluation.rules[0]?.reason).toContain(
      '`facts.approvals.exists(a, a == facts.registeredBy)` was false',
    );
  });
});

const jsonFacts: fc.Arbitrary<Facts> = fc.record(
  {
    regulatedData: fc.array(fc.constantFrom('pii', 'financial', 'health'), { maxLength: 3 }),
    approvals: fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
    riskTier: fc.constantFrom('low', 'medium', 'high'),
    schemaChange: fc.oneof(fc.boolean(), fc.integer()),
    jobSize: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.double({ noNaN: true }), fc.string()),
    team: fc.string({ maxLength: 6 }),
  },
  { requiredKeys: [] },
);

const rules: readonly PolicyRule[] = [
  twoApprovers,
  noHighRiskSchemaChange,
  {
    ...twoApprovers,
    id: 'small',
    expression: 'facts.jobSize <= 13 ? true : facts.approvals.size() > 2',
    effect: 'warn',
  },
  {
    ...twoApprovers,
    id: 'team',
    expression: "facts.team != '' && facts.team in ['payments', 'search']",
  },
];

describe('policy evaluation: properties', () => {
  it('replaying an evaluation under its bundle version always gives the same evaluation', () => {
    fc.assert(
      fc.property(jsonFacts, (facts) => {
        const b = bundle(rules);
        const original = evaluatePolicyBundle(b, 'workload-registered', facts);
        // A structurally equal bundle (as read back from the store), not the same object.
        const replay = replayEvaluation(
          JSON.parse(JSON.stringify(original)) as typeof original,
          facts,
          JSON.parse(JSON.stringify(b)) as typeof b,
        );
        expect(replay.differences).toEqual([]);
        expect(replay.equal).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('the explained outcome equals CEL evaluating the whole expression', () => {
    const env = celEnv({});
    fc.assert(
      fc.property(jsonFacts, (facts) => {
        const evaluation = evaluatePolicyBundle(bundle(rules), 'workload-registered', facts);
        rules.forEach((rule, i) => {
          const raw = plan(env, parse(rule.expression).expr)({ facts: toCelInput(facts) });
          const expected = isCelError(raw)
            ? 'error'
            : raw === true
              ? 'passed'
              : raw === false
                ? 'failed'
                : 'error';
          expect(evaluation.rules[i]?.outcome).toBe(expected);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('a replay under a changed bundle says what differs', () => {
    const facts = workload({});
    const original = evaluatePolicyBundle(bundle([twoApprovers]), 'workload-registered', facts);
    const changed = bundle(
      [{ ...twoApprovers, expression: 'facts.approvals.size() >= 1' }],
      '1.1.0',
    );
    const replay = replayEvaluation(original, facts, changed);
    expect(replay.equal).toBe(false);
    expect(replay.differences).toContain('The result changed from blocked to allowed.');
  });
});
