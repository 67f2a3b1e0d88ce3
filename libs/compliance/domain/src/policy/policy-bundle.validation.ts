import { assertNonEmpty, ValidationError, validateAll, validateEach } from '@trainyard/kernel';
import { valid } from 'semver';
import { compileBundleRule } from '../evaluation/evaluate';
import {
  CONTROL_PATTERN,
  MAX_EXPRESSION_LENGTH,
  MAX_RULES,
  POLICY_ID_PATTERN,
  RULE_EFFECTS,
  RULE_ID_PATTERN,
  TRIGGERS,
  type PolicyRule,
} from './policy-rule';
import type { ProposePolicyBundle } from './policy.commands';

const MAX_TEXT = 500;

type Check = () => unknown;

// Not a type guard: `Array.isArray` would narrow the typed arrays to `any[]`.
const isList = (value: unknown): boolean => Array.isArray(value);

export const assertText = (field: string, value: unknown, max = MAX_TEXT): string => {
  const text = assertNonEmpty(field, value);
  if (text.length > max)
    throw new ValidationError(field, `${field} must be at most ${max} characters long.`);
  return text;
};

export const assertPolicyId = (policyId: unknown): string => {
  const id = assertText('policyId', policyId, 64);
  if (!POLICY_ID_PATTERN.test(id))
    throw new ValidationError(
      'policyId',
      'policyId must be lower-case words joined by - or . (e.g. change-control).',
    );
  return id;
};

export const assertPolicyVersion = (version: unknown): string => {
  const v = assertText('version', version, 64);
  if (valid(v) !== v)
    throw new ValidationError(
      'version',
      `version must be a semantic version such as 1.0.0; got ${v}.`,
    );
  return v;
};

/** A non-empty list, every element checked (each bad one reported with its index). */
const assertEach = (
  field: string,
  value: unknown,
  empty: string,
  each: (element: unknown, at: string) => void,
): void => {
  if (!isList(value) || (value as unknown[]).length === 0) throw new ValidationError(field, empty);
  validateEach(field, value as unknown[], each);
};

const isKnownTrigger = (t: unknown): boolean => (TRIGGERS as readonly unknown[]).includes(t);

/** The checks of `rules[i]`: each field on its own, so every problem of the rule is reported. */
const ruleChecks = (rule: PolicyRule, i: number, firstIndexOf: Map<string, number>): Check[] => {
  const at = `rules[${i}]`;
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule))
    return [
      () => {
        throw new ValidationError(at, `${at} must be a rule.`);
      },
    ];
  let expressionOk = false;
  return [
    () => {
      const id = assertText(`${at}.id`, rule.id, 64);
      if (!RULE_ID_PATTERN.test(id))
        throw new ValidationError(
          `${at}.id`,
          `${at}.id must be lower-case words joined by - or . (e.g. two-approvers).`,
        );
      if ((firstIndexOf.get(id) ?? i) < i)
        throw new ValidationError(`${at}.id`, `${at}.id repeats rule ${id}.`);
    },
    () => assertText(`${at}.description`, rule.description),
    () => {
      assertText(`${at}.expression`, rule.expression, MAX_EXPRESSION_LENGTH);
      expressionOk = true;
    },
    () =>
      assertEach(
        `${at}.controls`,
        rule.controls,
        `${at}.controls must name at least one control (e.g. SOC2:CC8.1).`,
        (c, field) => {
          if (typeof c !== 'string' || !CONTROL_PATTERN.test(c))
            throw new ValidationError(
              field,
              `${field} must be <framework>:<control>, such as SOC2:CC8.1 or ISO27001:A.8.32.`,
            );
        },
      ),
    () => {
      if (!RULE_EFFECTS.includes(rule.effect))
        throw new ValidationError(
          `${at}.effect`,
          `${at}.effect must be one of ${RULE_EFFECTS.join(', ')}.`,
        );
    },
    () =>
      assertEach(
        `${at}.triggers`,
        rule.triggers,
        `${at}.triggers must name at least one trigger.`,
        (t, field) => {
          if (!isKnownTrigger(t))
            throw new ValidationError(field, `${field} must be one of ${TRIGGERS.join(', ')}.`);
        },
      ),
    // Compiled and type-checked now (against the facts of its triggers), so an approved bundle
    // never holds an expression that cannot run. With its triggers refused it is only parsed.
    () => {
      const triggersOk =
        isList(rule.triggers) && rule.triggers.length > 0 && rule.triggers.every(isKnownTrigger);
      if (expressionOk) compileBundleRule(triggersOk ? rule : { ...rule, triggers: [] }, i);
    },
  ];
};

const rulesChecks = (rules: readonly PolicyRule[]): Check[] => {
  if (!isList(rules) || rules.length === 0)
    return [
      () => {
        throw new ValidationError('rules', 'rules must hold at least one rule.');
      },
    ];
  if (rules.length > MAX_RULES)
    return [
      () => {
        throw new ValidationError('rules', `rules must hold at most ${MAX_RULES} rules.`);
      },
    ];
  const firstIndexOf = new Map<string, number>();
  rules.forEach((rule, i) => {
    const id = (rule as Partial<PolicyRule> | null)?.id;
    if (typeof id === 'string' && !firstIndexOf.has(id)) firstIndexOf.set(id, i);
  });
  return rules.flatMap((rule, i) => ruleChecks(rule, i, firstIndexOf));
};

/**
 * A proposed bundle checked whole: every invalid field is reported at once, with its path
 * (`rules[2].triggers[0]`, `rules[0].expression` for a CEL expression that does not compile or
 * type-check), in one `ValidationError` (kernel `validateAll`). Returns the checked header.
 */
export const validatePolicyBundleProposal = (
  data: ProposePolicyBundle['data'],
): { policyId: string; version: string; title: string } => {
  let policyId = '';
  let version = '';
  let title = '';
  validateAll(
    () => (policyId = assertPolicyId(data.policyId)),
    () => (version = assertPolicyVersion(data.version)),
    () => (title = assertText('title', data.title)),
    ...rulesChecks(data.rules),
  );
  return { policyId, version, title };
};
