import fc from 'fast-check';
import type { PolicyBundleVersion, PolicyRule } from '../policy/policy-rule';
import type { Facts } from './cel-values';
import { expandExplanation } from './compact-explanation';
import { evaluatePolicyBundle, evaluatePolicyBundleCompact, replayEvaluation } from './evaluate';
import { evaluationRecordOf } from './evaluation';
import { upcastPolicyEvaluatedV1, type PolicyEvaluatedV1 } from './evaluation.events.v1';

const rule = (id: string, expression: string, effect: 'block' | 'warn' = 'block'): PolicyRule => ({
  id,
  description: `${id}: a description longer than the id`,
  expression,
  controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
  effect,
  triggers: ['workload-registered'],
});

// Every kind of step the explainer records: and/or/not/cond, calls with and without a target,
// literals (not reported), macros, fact paths (values not repeated), errors and a non-boolean.
const BUNDLE: PolicyBundleVersion = {
  policyId: 'change-control',
  version: '1.0.0',
  rules: [
    rule('regulated-needs-cab', "size(facts.regulatedData) == 0 || facts.approvalPath == 'cab'"),
    rule('two-approvals', "facts.approvals.size() >= 2 || facts.riskTier == 'low'"),
    rule('no-self-approval', '!(facts.registeredBy in facts.approvals)'),
    rule('high-risk-no-schema', "!(facts.riskTier == 'high' && facts.schemaChange)", 'warn'),
    rule('small-jobs', 'facts.jobSize <= 13', 'warn'),
    rule('known-team', "facts.team in ['payments', 'ledger', 'search', 'identity']"),
    rule(
      'services-named',
      "facts.components.all(c, c.name != '' && c.kind in ['service', 'database'])",
    ),
    rule('flag-or-none', "facts.riskTier == 'high' ? facts.featureFlag != '' : true", 'warn'),
    rule('route', "facts.route.trackKind == 'train' || facts.riskTier != 'high'"),
    rule('schema-flag', 'facts.schemaChange'),
  ],
};

const factsArb: fc.Arbitrary<Facts> = fc.record(
  {
    team: fc.constantFrom('payments', 'growth', ''),
    regulatedData: fc.subarray(['pii', 'financial']),
    approvalPath: fc.constantFrom('cab', 'standard'),
    approvals: fc.subarray(['alice', 'bob', 'carol']),
    registeredBy: fc.constantFrom('alice', 'dave'),
    riskTier: fc.constantFrom('low', 'medium', 'high'),
    // A string or a missing field makes rules fail to evaluate (errors are explained too).
    schemaChange: fc.oneof(fc.boolean(), fc.constant('yes')),
    jobSize: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 30, noNaN: true })),
    components: fc.array(
      fc.record({ name: fc.constantFrom('api', ''), kind: fc.constantFrom('service', 'queue') }),
      { maxLength: 3 },
    ),
    featureFlag: fc.constantFrom('', 'flag-x'),
    route: fc.oneof(
      fc.record({
        trackId: fc.constant('main'),
        trackKind: fc.constantFrom('train', 'independent'),
      }),
      fc.constant({}),
    ),
  },
  { requiredKeys: ['approvals', 'riskTier'] },
);

describe('compact explanation', () => {
  it('expands to exactly the explanation the explainer gives, key order included', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const full = evaluatePolicyBundle(BUNDLE, 'workload-registered', facts);
        const compact = evaluatePolicyBundleCompact(BUNDLE, 'workload-registered', facts);
        expect(compact.result).toBe(full.result);
        expect(compact.evaluatorVersion).toBe(full.evaluatorVersion);
        // Stored as jsonb and read back: the text goes through JSON, the facts too.
        const stored = JSON.parse(JSON.stringify({ facts, explanation: compact.explanation })) as {
          facts: Facts;
          explanation: string;
        };
        expect(JSON.stringify(expandExplanation(stored.explanation, stored.facts))).toBe(
          JSON.stringify(full.rules),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('expands outcomes of every kind: passed, failed, an error and a non-boolean value', () => {
    const bundle: PolicyBundleVersion = {
      ...BUNDLE,
      rules: [
        rule('passes', 'facts.jobSize <= 13'),
        rule('fails', 'facts.jobSize > 13'),
        rule('errors', 'facts.missing == 1', 'warn'),
        rule('non-boolean', "facts.riskTier == 'odd' ? facts.jobSize : true"),
      ],
    };
    const facts: Facts = { jobSize: 3, riskTier: 'odd', approvals: [] };
    const full = evaluatePolicyBundle(bundle, 'workload-registered', facts);
    expect(full.rules.map((r) => r.outcome)).toEqual(['passed', 'failed', 'error', 'error']);
    const compact = evaluatePolicyBundleCompact(bundle, 'workload-registered', facts);
    expect(expandExplanation(compact.explanation, facts)).toEqual(full.rules);
    expect(compact.result).toBe('blocked');
  });

  it('does not repeat values the facts hold: a fact path refers to them', () => {
    const facts: Facts = {
      approvals: ['a-long-approver-name-1', 'a-long-approver-name-2'],
      registeredBy: 'alice',
      riskTier: 'low',
    };
    const compact = evaluatePolicyBundleCompact(BUNDLE, 'workload-registered', facts);
    expect(compact.explanation).not.toContain('a-long-approver-name-1');
    const full = evaluatePolicyBundle(BUNDLE, 'workload-registered', facts);
    expect(JSON.stringify(full.rules)).toContain('a-long-approver-name-1');
    expect(expandExplanation(compact.explanation, facts)).toEqual(full.rules);
  });

  it('is much smaller than the v1 explanation', () => {
    const facts: Facts = { approvals: ['bob'], riskTier: 'high', schemaChange: true, jobSize: 20 };
    const full = evaluatePolicyBundle(BUNDLE, 'workload-registered', facts);
    const compact = evaluatePolicyBundleCompact(BUNDLE, 'workload-registered', facts);
    expect(compact.explanation.length).toBeLessThan(JSON.stringify(full.rules).length / 2);
  });
});

describe('the stored text', () => {
  // Regression guard (issue 13): a change to the explainer or the encoder made for speed must
  // store, byte for byte, what this version stores for the same evaluation (the text is hashed
  // into the audit log; the round-trip tests above would not see a change both sides share).
  it('is the same bytes for the same evaluation: or, not, in, literals, a macro, a method call, a conditional, an error', () => {
    const pinned = (id: string, expression: string, effect: 'block' | 'warn' = 'block') => ({
      ...rule(id, expression, effect),
      controls: ['SOC2:CC8.1'],
    });
    const bundle: PolicyBundleVersion = {
      ...BUNDLE,
      rules: [
        pinned('two-approvals', "facts.approvals.size() >= 2 || facts.riskTier == 'low'"),
        pinned('no-self-approval', '!(facts.registeredBy in facts.approvals)'),
        pinned('known-team', "facts.team in ['payments', 'ledger']"),
        pinned('services-named', "facts.components.all(c, c.name != '')"),
        pinned(
          'flag-or-none',
          "facts.riskTier == 'high' ? facts.featureFlag.startsWith('f') : true",
          'warn',
        ),
        pinned('errors', 'facts.missing == 1', 'warn'),
      ],
    };
    const facts: Facts = {
      approvals: ['bob'],
      registeredBy: 'bob',
      riskTier: 'high',
      team: 'growth',
      components: [{ name: 'api' }],
      featureFlag: 'flag-x',
    };
    const entries = [
      '["two-approvals","two-approvals: a description longer than the id","block",["SOC2:CC8.1"],[0,"facts.approvals.size() >= 2 || facts.riskTier == \'low\'",false,0,[[1,[0,27],false,[[0,[0,22],1]]],[1,[31,54],false,[[2,[31,45]]]]]]]',
      '["no-self-approval","no-self-approval: a description longer than the id","block",["SOC2:CC8.1"],[0,"!(facts.registeredBy in facts.approvals)",false,0,[[1,[2,39],true,[[2,[2,20]],[2,[24,39]]]]]]]',
      '["known-team","known-team: a description longer than the id","block",["SOC2:CC8.1"],[1,"facts.team in [\'payments\', \'ledger\']",false,[[2,[0,10]],[0,[14,36],["payments","ledger"]]]]]',
      '["services-named","services-named: a description longer than the id","block",["SOC2:CC8.1"],[1,"facts.components.all(c, c.name != \'\')",true]]',
      '["flag-or-none","flag-or-none: a description longer than the id","warn",["SOC2:CC8.1"],[0,"facts.riskTier == \'high\' ? facts.featureFlag.startsWith(\'f\') : true",true,0,[[1,[0,24],true,[[2,[0,14]]]],[1,[27,60],true,[[2,[27,44]]]]]]]',
      '["errors","errors: a description longer than the id","warn",["SOC2:CC8.1"],[5,"facts.missing == 1","field not found: missing",[[4,[0,13],"field not found: missing"]]]]',
    ];
    const { explanation } = evaluatePolicyBundleCompact(bundle, 'workload-registered', facts);
    expect(explanation).toBe(`[${entries.join(',')}]`);
    const trace = evaluatePolicyBundle(bundle, 'workload-registered', facts).rules[5]?.trace;
    expect(Object.keys(trace ?? {})).toEqual(['expression', 'error', 'operands']);
  });
});

describe('PolicyEvaluated stored as schema version 1', () => {
  const facts: Facts = { approvals: ['bob'], riskTier: 'high', registeredBy: 'bob', jobSize: 5 };
  // What the v1 decider stored, read back from the jsonb column (a JSON round trip).
  const storedV1 = (): PolicyEvaluatedV1['data'] => {
    const evaluation = evaluatePolicyBundle(BUNDLE, 'workload-registered', facts);
    return JSON.parse(
      JSON.stringify({
        evaluationId: 'E-1',
        subject: { type: 'workload', id: 'W-1' },
        trigger: 'workload-registered',
        facts,
        policyId: evaluation.policyId,
        bundleVersion: evaluation.bundleVersion,
        evaluatorVersion: evaluation.evaluatorVersion,
        result: evaluation.result,
        rules: evaluation.rules,
        cause: { eventId: 'ev-1', eventType: 'WorkloadRegistered' },
        evaluatedBy: 'compliance',
        evaluatedAt: '2031-05-04T09:00:00.000Z',
      }),
    ) as PolicyEvaluatedV1['data'];
  };

  it('upcasts to version 2 whose explanation expands to the stored rules verbatim', () => {
    const v1 = storedV1();
    // A sentence an earlier explainer may have worded differently is kept as stored.
    const reworded = {
      ...v1,
      rules: v1.rules.map((r, i) =>
        i === 0 ? { ...r, reason: 'Worded by an older explainer.' } : r,
      ),
    };
    const v2 = upcastPolicyEvaluatedV1(reworded);
    expect(v2).not.toHaveProperty('rules');
    expect(evaluationRecordOf(v2)).toEqual(reworded);
    expect(evaluationRecordOf(reworded)).toEqual(reworded);
  });

  it('replays under the rules of its day with the same answer', () => {
    const record = evaluationRecordOf(upcastPolicyEvaluatedV1(storedV1()));
    const replay = replayEvaluation(
      {
        policyId: record.policyId,
        bundleVersion: record.bundleVersion,
        evaluatorVersion: record.evaluatorVersion,
        trigger: record.trigger,
        result: record.result,
        rules: record.rules,
      },
      record.facts,
      BUNDLE,
    );
    expect(replay.differences).toEqual([]);
    expect(replay.equal).toBe(true);
  });

  it('replays a version 2 evaluation with the same answer', () => {
    const compact = evaluatePolicyBundleCompact(BUNDLE, 'workload-registered', facts);
    const replay = replayEvaluation(
      {
        policyId: compact.policyId,
        bundleVersion: compact.bundleVersion,
        evaluatorVersion: compact.evaluatorVersion,
        trigger: compact.trigger,
        result: compact.result,
        rules: expandExplanation(compact.explanation, facts),
      },
      facts,
      BUNDLE,
    );
    expect(replay.equal).toBe(true);
  });
});
