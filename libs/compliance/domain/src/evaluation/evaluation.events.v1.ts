import type { DomainEvent } from '@trainyard/kernel';
import { compactExplanation } from './compact-explanation';
import type { RuleExplanation } from './evaluate';
import type { PolicyEvaluated, PolicyEvaluationFields } from './evaluation';

/**
 * `PolicyEvaluated` as stored before issue 13 (schema version 1): the explanation as
 * `RuleExplanation` objects, sentences and traces spelled out. Stored rows are never rewritten.
 */
export type PolicyEvaluatedV1 = DomainEvent<
  'PolicyEvaluated',
  Omit<PolicyEvaluationFields, 'cause' | 'evaluatedBy' | 'evaluatedAt'> & {
    readonly rules: readonly RuleExplanation[];
    readonly cause?: PolicyEvaluationFields['cause'];
    readonly evaluatedBy: string;
    readonly evaluatedAt: string;
  }
>;

/**
 * Version 1 → 2: the v1 explanation objects go into the compact explanation verbatim (an entry may
 * be a `RuleExplanation` object), so expanding it gives back exactly what was stored, sentences
 * included, whatever the explainer that wrote them.
 */
export const upcastPolicyEvaluatedV1 = (
  data: PolicyEvaluatedV1['data'],
): PolicyEvaluated['data'] => {
  const { rules, cause, evaluatedBy, evaluatedAt, ...fields } = data;
  return {
    ...fields,
    explanation: compactExplanation(rules),
    ...(cause ? { cause } : {}),
    evaluatedBy,
    evaluatedAt,
  };
};
