/** When a rule is evaluated: the planning event that carries the change's facts, or a request. */
export const TRIGGERS = [
  'workload-registered',
  'scope-committed',
  'access-requested',
  'on-request',
] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** `block` refuses the change; `warn` lets it through with a finding in the explanation. */
export const RULE_EFFECTS = ['block', 'warn'] as const;
export type RuleEffect = (typeof RULE_EFFECTS)[number];

/** A control reference `<framework>:<control>`, e.g. `SOC2:CC8.1`, `ISO27001:A.8.32`. */
export const CONTROL_PATTERN = /^[A-Z][A-Z0-9-]{1,31}:[A-Za-z0-9][A-Za-z0-9.()-]{0,31}$/;
/** Rule ids are stable: lower-case words joined by `-` or `.`. */
export const RULE_ID_PATTERN = /^[a-z][a-z0-9]*([.-][a-z0-9]+)*$/;
/** Policy ids follow the same shape as rule ids. */
export const POLICY_ID_PATTERN = RULE_ID_PATTERN;

export const MAX_RULES = 200;
export const MAX_EXPRESSION_LENGTH = 2000;

/**
 * One rule of a policy bundle: a CEL expression over `facts` that must hold. A rule holds when its
 * expression is `true`; `false` is a violation, an evaluation error is an `error` outcome that
 * counts as a violation for `block` rules (never a silent pass).
 */
export interface PolicyRule {
  readonly id: string;
  readonly description: string;
  readonly expression: string;
  readonly controls: readonly string[];
  readonly effect: RuleEffect;
  readonly triggers: readonly Trigger[];
}

/** One version of a policy: what evaluations cite and replays re-run. */
export interface PolicyBundleVersion {
  readonly policyId: string;
  readonly version: string;
  readonly rules: readonly PolicyRule[];
}
