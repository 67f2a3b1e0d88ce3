import { compliance } from '@trainyard/grpc-contracts';
import {
  validatePolicyBundleProposal,
  type PolicyRule,
  type ProposePolicyBundle,
  type RuleEffect,
  type RuleExplanation,
  type Trigger,
} from '@trainyard/compliance-domain';
import type { EvaluationRow, PolicyRow, PolicyVersionRow } from '@trainyard/compliance-read-models';
import { ValidationError, validateAll } from '@trainyard/kernel';
import type { EvaluationRecord } from '../application/evaluation.use-cases';

export const COMPLIANCE_SERVICE = compliance.COMPLIANCE_SERVICE_NAME;

const EFFECTS: Readonly<Record<string, RuleEffect>> = {
  [compliance.RuleEffect.RULE_EFFECT_BLOCK]: 'block',
  [compliance.RuleEffect.RULE_EFFECT_WARN]: 'warn',
};

/** A rule from the wire; an unknown effect is kept as the stand-in `block` (see fromProtoProposal). */
const fromProtoRule = (rule: compliance.PolicyRule): PolicyRule => ({
  id: rule.id,
  description: rule.description,
  expression: rule.expression,
  controls: rule.controls,
  effect: EFFECTS[rule.effect] ?? 'block',
  triggers: rule.triggers as Trigger[],
});

/**
 * A proposal from the wire, refused with every invalid field at once (validateAll): each rule's
 * wire `effect` enum and everything the domain checks (CEL expressions included). A stand-in
 * effect never leaves here: any unknown one is refused.
 */
export const fromProtoProposal = (
  request: compliance.ProposePolicyBundleRequest,
): ProposePolicyBundle['data'] => {
  const data = {
    policyId: request.policyId,
    version: request.version,
    title: request.title,
    rules: request.rules.map(fromProtoRule),
  };
  validateAll(
    ...request.rules.map((rule, i) => () => {
      if (!EFFECTS[rule.effect])
        throw new ValidationError(
          `rules[${i}].effect`,
          `rules[${i}].effect must be RULE_EFFECT_BLOCK or RULE_EFFECT_WARN.`,
        );
    }),
    () => validatePolicyBundleProposal(data),
  );
  return data;
};

const toProtoEffect = (effect: RuleEffect): compliance.RuleEffect =>
  effect === 'block'
    ? compliance.RuleEffect.RULE_EFFECT_BLOCK
    : compliance.RuleEffect.RULE_EFFECT_WARN;

export const toProtoRule = (rule: PolicyRule): compliance.PolicyRule => ({
  ...rule,
  controls: [...rule.controls],
  effect: toProtoEffect(rule.effect),
  triggers: [...rule.triggers],
});

export const toProtoPolicy = (
  policy: PolicyRow,
  versions: readonly PolicyVersionRow[] = [],
): compliance.Policy => ({
  policyId: policy.policyId,
  title: policy.title,
  activeVersion: policy.activeVersion ?? '',
  latestVersion: policy.latestVersion,
  versions: versions.map((v) => ({
    version: v.version,
    title: v.title,
    status: v.status.toUpperCase(),
    rules: v.rules.map(toProtoRule),
    proposedBy: v.proposedBy,
    proposedAt: v.proposedAt,
    decidedBy: v.decidedBy ?? '',
    decidedAt: v.decidedAt ?? '',
    reason: v.reason ?? '',
  })),
});

export const toProtoExplanation = (rule: RuleExplanation): compliance.RuleExplanation => ({
  ruleId: rule.ruleId,
  description: rule.description,
  effect: toProtoEffect(rule.effect),
  controls: [...rule.controls],
  outcome: rule.outcome,
  reason: rule.reason,
  traceJson: JSON.stringify(rule.trace),
});

export const toProtoEvaluation = (row: EvaluationRow): compliance.Evaluation => ({
  evaluationId: row.evaluationId,
  subjectType: row.subjectType,
  subjectId: row.subjectId,
  trigger: row.trigger,
  policyId: row.policyId,
  bundleVersion: row.bundleVersion,
  evaluatorVersion: row.evaluatorVersion,
  result: row.result,
  factsJson: JSON.stringify(row.facts),
  rules: row.explanation.map(toProtoExplanation),
  evaluatedBy: row.evaluatedBy,
  evaluatedAt: row.evaluatedAt,
});

/** A just-recorded evaluation, as its read-model row will hold it. */
export const rowOfRecord = (e: EvaluationRecord): EvaluationRow => ({
  evaluationId: e.evaluationId,
  subjectType: e.subject.type,
  subjectId: e.subject.id,
  trigger: e.trigger,
  policyId: e.policyId,
  bundleVersion: e.bundleVersion,
  evaluatorVersion: e.evaluatorVersion,
  result: e.result,
  facts: e.facts,
  explanation: e.rules,
  causeEventId: e.cause?.eventId ?? null,
  causeEventType: e.cause?.eventType ?? null,
  evaluatedBy: e.evaluatedBy,
  evaluatedAt: new Date(e.evaluatedAt).toISOString(),
});

/** `facts_json` as a JSON object, or INVALID_ARGUMENT naming the field. */
export const parseFacts = (field: string, text: string): Record<string, unknown> => {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError(field, `${field} must be the text of a JSON object.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError(field, `${field} must be the text of a JSON object.`);
  return value as Record<string, unknown>;
};
