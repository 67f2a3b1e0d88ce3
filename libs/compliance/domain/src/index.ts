// Compliance domain: policies as code, evaluations with explanations, reviews and sign-offs, retention, sampling.
export * from './policy/policy-rule';
export * from './policy/policy.commands';
export * from './policy/policy.events';
export * from './policy/policy.state';
export * from './policy/policy.decide';
export {
  assertPolicyId,
  assertPolicyVersion,
  validatePolicyBundleProposal,
} from './policy/policy-bundle.validation';
export * from './policy/policy.evolve';
export * from './policy/policy.decider';
export * from './evaluation/cel-values';
export * from './evaluation/explain';
export * from './evaluation/fact-samples';
export * from './evaluation/evaluate';
export * from './evaluation/evaluation';
export * from './evaluation/evaluation.events.v1';
export * from './evaluation/compact-explanation';
export { compileRule, type CompiledRule } from './evaluation/cel-compile';
export * from './sampling/seeded-random';
export * from './sampling/sample';
export * from './sampling/change-control-rules';
export * from './review/sign-off-policy';
export * from './review/review.commands';
export * from './review/review.events';
export * from './review/review.state';
export * from './review/review.decide';
export * from './review/review.evolve';
export * from './review/review.decider';
export * from './privacy/legal-hold';
export * from './privacy/retention';
export * from './privacy/retention-sweep';
export * from './privacy/privacy-register';
export * from './access/access-role';
export * from './access/access.commands';
export * from './access/access.events';
export * from './access/access.state';
export * from './access/access.decide';
export * from './access/access.evolve';
export * from './access/access.decider';
export * from './sampling/sample.decide';
