import type { PolicyBundleVersion, PolicyRule, RuleEffect, Trigger } from '../policy/policy-rule';
import { compileRule, type CompiledRule } from './cel-compile';
import { toCelValue, type Facts } from './cel-values';
import { compactExplanation, compactRule, type CompactExplanation } from './compact-explanation';
import {
  explainNode,
  outcomeOf,
  reasonOf,
  type Explained,
  type ExplainedStep,
  type RuleOutcome,
} from './explain';
import { FACT_SAMPLES } from './fact-samples';

/** `@bufbuild/cel`'s version (checked against the installed package by a spec in the app). */
export const CEL_VERSION = '0.6.1';
/** This explainer's version: bump it whenever what an explanation records changes. */
export const EXPLAINER_VERSION = '1';
/** Recorded with every evaluation; a replay under another evaluator says so. */
export const EVALUATOR_VERSION = `@bufbuild/cel@${CEL_VERSION}+explainer@${EXPLAINER_VERSION}`;

export type EvaluationResult = 'allowed' | 'blocked' | 'warned';

export interface RuleExplanation {
  readonly ruleId: string;
  readonly description: string;
  readonly effect: RuleEffect;
  readonly controls: readonly string[];
  readonly outcome: RuleOutcome;
  /** One sentence: which sub-expression decided, with the values it saw. */
  readonly reason: string;
  /** The source text of the sub-expressions that decided the outcome (their values are in `trace`). */
  readonly decidedBy: readonly string[];
  /** Every sub-expression evaluated, as a tree. */
  readonly trace: ExplainedStep;
}

export interface Evaluation {
  readonly policyId: string;
  readonly bundleVersion: string;
  readonly evaluatorVersion: string;
  readonly trigger: Trigger;
  readonly result: EvaluationResult;
  readonly rules: readonly RuleExplanation[];
}

export interface CompiledBundle {
  readonly bundle: PolicyBundleVersion;
  readonly rules: readonly CompiledRule[];
}

/** Compiles (and type-checks) every rule; a bad one is a `ValidationError` on `rules[i].expression`. */
export const compileBundle = (bundle: PolicyBundleVersion): CompiledBundle => ({
  bundle,
  rules: bundle.rules.map((rule, i) => compileBundleRule(rule, i)),
});

/** Rule `i` of a bundle compiled and type-checked against its triggers' facts (`rules[i].expression`). */
export const compileBundleRule = (rule: PolicyRule, i: number): CompiledRule =>
  compileRule(
    rule,
    `rules[${i}].expression`,
    rule.triggers.map((t) => FACT_SAMPLES[t]),
  );

// Compiling is deterministic, so a compiled bundle is memoised per bundle object.
const compiled = new WeakMap<PolicyBundleVersion, CompiledBundle>();
export const compiledBundleOf = (bundle: PolicyBundleVersion): CompiledBundle => {
  const known = compiled.get(bundle);
  if (known) return known;
  const fresh = compileBundle(bundle);
  compiled.set(bundle, fresh);
  return fresh;
};

export const appliesTo = (rule: PolicyRule, trigger: Trigger): boolean =>
  rule.triggers.includes(trigger);

const explainRule = (
  compiledRule: CompiledRule,
  bindings: Record<string, unknown>,
): RuleExplanation => {
  const { rule, root } = compiledRule;
  const explained = explainNode(root, bindings);
  const outcome = outcomeOf(explained.step);
  return {
    ruleId: rule.id,
    description: rule.description,
    effect: rule.effect,
    controls: rule.controls,
    outcome,
    reason: reasonOf(outcome, rule.effect, explained.step, explained.decisive),
    decidedBy: explained.decisive.map((step) => step.expression),
    trace: explained.step,
  };
};

/** blocked if a `block` rule failed or errored; warned if only `warn` rules did; else allowed. */
export const resultOf = (
  rules: readonly Pick<RuleExplanation, 'outcome' | 'effect'>[],
): EvaluationResult => {
  const bad = rules.filter((r) => r.outcome !== 'passed');
  if (bad.some((r) => r.effect === 'block')) return 'blocked';
  return bad.length > 0 ? 'warned' : 'allowed';
};

/**
 * Evaluates every rule of the bundle that applies to `trigger` over `facts`: pure and
 * deterministic (same facts, bundle version and evaluator version → same evaluation).
 */
export const evaluatePolicyBundle = (
  bundle: PolicyBundleVersion,
  trigger: Trigger,
  facts: Facts,
): Evaluation => {
  const compiledBundle = compiledBundleOf(bundle);
  const bindings = { facts: toCelValue(facts) };
  const rules = compiledBundle.rules
    .filter((r) => appliesTo(r.rule, trigger))
    .map((r) => explainRule(r, bindings));
  return {
    policyId: bundle.policyId,
    bundleVersion: bundle.version,
    evaluatorVersion: EVALUATOR_VERSION,
    trigger,
    result: resultOf(rules),
    rules,
  };
};

/** An evaluation with its explanation in the stored compact form (`PolicyEvaluated` v2). */
export interface CompactEvaluation extends Omit<Evaluation, 'rules'> {
  readonly explanation: CompactExplanation;
}

/**
 * `evaluatePolicyBundle` with the explanation encoded as `PolicyEvaluated` stores it: the same
 * evaluation (`expandExplanation` gives back its `rules`), without building the sentences, which
 * are derived from the trace on read.
 */
export const evaluatePolicyBundleCompact = (
  bundle: PolicyBundleVersion,
  trigger: Trigger,
  facts: Facts,
): CompactEvaluation => {
  const compiledBundle = compiledBundleOf(bundle);
  const bindings = { facts: toCelValue(facts) };
  const outcomes: Pick<RuleExplanation, 'outcome' | 'effect'>[] = [];
  const entries = [];
  for (const { rule, root } of compiledBundle.rules) {
    if (!appliesTo(rule, trigger)) continue;
    const explained: Explained = explainNode(root, bindings);
    outcomes.push({ outcome: outcomeOf(explained.step), effect: rule.effect });
    entries.push(compactRule(rule, explained.step, explained.decisive, facts));
  }
  return {
    policyId: bundle.policyId,
    bundleVersion: bundle.version,
    evaluatorVersion: EVALUATOR_VERSION,
    trigger,
    result: resultOf(outcomes),
    explanation: compactExplanation(entries),
  };
};

export interface Replay {
  readonly equal: boolean;
  readonly original: Evaluation;
  readonly replayed: Evaluation;
  /** What differs, in sentences; empty when equal. */
  readonly differences: readonly string[];
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );

/**
 * Re-runs a past evaluation under the bundle version it cited (the rules of its day) on its
 * recorded facts, and compares result and explanation.
 */
export const replayEvaluation = (
  original: Evaluation,
  facts: Facts,
  bundle: PolicyBundleVersion,
): Replay => {
  const replayed = evaluatePolicyBundle(bundle, original.trigger, facts);
  const differences: string[] = [];
  if (bundle.policyId !== original.policyId || bundle.version !== original.bundleVersion)
    differences.push(
      `The replay ran under ${bundle.policyId}@${bundle.version}, the original under ${original.policyId}@${original.bundleVersion}.`,
    );
  if (replayed.evaluatorVersion !== original.evaluatorVersion)
    differences.push(
      `The evaluator changed from ${original.evaluatorVersion} to ${replayed.evaluatorVersion}.`,
    );
  if (replayed.result !== original.result)
    differences.push(`The result changed from ${original.result} to ${replayed.result}.`);
  if (canonical(replayed.rules) !== canonical(original.rules))
    differences.push('The rule-by-rule explanation differs.');
  return { equal: differences.length === 0, original, replayed, differences };
};
