// Compliance domain: policies as code, evaluations with explanations, reviews and sign-offs, retention, sampling.
export * from './policy/policy-rule';
export * from './policy/policy.commands';
export * from './policy/policy.events';
export * from './policy/policy.state';
export * from './policy/policy.decide';
export * from './policy/policy.evolve';
export * from './policy/policy.decider';
export * from './evaluation/cel-values';
export * from './evaluation/explain';
export * from './evaluation/fact-samples';
export * from './evaluation/evaluate';
export * from './evaluation/evaluation';
export { compileRule, type CompiledRule } from './evaluation/cel-compile';
export * from './sampling/seeded-random';
export * from './sampling/sample';
export * from './sampling/change-control-rules';
