import type { ChangeType, PlanningPolicy, RiskTier, WorkloadCondition } from './planning-policy';
import { RISK_TIERS } from './planning-policy';
import type { WorkloadFacts } from './workload-facts';

export const matchesCondition = (condition: WorkloadCondition, facts: WorkloadFacts): boolean => {
  const c = condition;
  if (
    c.changeTypeHint &&
    (facts.changeType === undefined || !c.changeTypeHint.includes(facts.changeType))
  )
    return false;
  if (c.severityAtLeast !== undefined && (facts.severity ?? 0) < c.severityAtLeast) return false;
  if (c.hasLinkedIncident !== undefined && Boolean(facts.linkedIncident) !== c.hasLinkedIncident)
    return false;
  if (c.hasRegulatedData !== undefined && facts.regulatedData.length > 0 !== c.hasRegulatedData)
    return false;
  if (c.schemaChange !== undefined && facts.schemaChange !== c.schemaChange) return false;
  if (c.hasApiContract !== undefined && (facts.apiContract !== undefined) !== c.hasApiContract)
    return false;
  if (c.hasFeatureFlag !== undefined && Boolean(facts.featureFlag) !== c.hasFeatureFlag)
    return false;
  if (c.anyComponentKind && !facts.components.some((k) => c.anyComponentKind?.includes(k.kind)))
    return false;
  if (
    c.onlyComponentKinds &&
    !facts.components.every((k) => c.onlyComponentKinds?.includes(k.kind))
  )
    return false;
  return true;
};

export interface Classification {
  readonly changeType: ChangeType;
  /** The rule that matched, or 'fallback'. */
  readonly ruleId: string;
  readonly explanation: string;
}

export const classifyChange = (facts: WorkloadFacts, policy: PlanningPolicy): Classification => {
  const rule = policy.classification.rules.find((r) => matchesCondition(r.when, facts));
  if (rule)
    return {
      changeType: rule.changeType,
      ruleId: rule.id,
      explanation: `${rule.changeType} by rule ${rule.id}`,
    };
  const fallback = policy.classification.fallback;
  return {
    changeType: fallback,
    ruleId: 'fallback',
    explanation: `${fallback}: no classification rule matched`,
  };
};

export interface RiskAssessment {
  readonly tier: RiskTier;
  /** The testing and approval path the tier requires. */
  readonly approvalPath: string;
  readonly reasons: readonly string[];
}

export const assessRisk = (
  facts: WorkloadFacts,
  changeType: ChangeType,
  policy: PlanningPolicy,
): RiskAssessment => {
  const base = policy.risk.baseTier[changeType];
  let level = RISK_TIERS.indexOf(base);
  const reasons = [`base tier ${base} for ${changeType}`];
  for (const rule of policy.risk.rules) {
    if (!matchesCondition(rule.when, facts)) continue;
    const before = level;
    level = Math.min(RISK_TIERS.length - 1, level + rule.raiseBy);
    reasons.push(
      level > before
        ? `${rule.reason}: raised to ${RISK_TIERS[level]} (rule ${rule.id})`
        : `${rule.reason}: already ${RISK_TIERS[level]} (rule ${rule.id})`,
    );
  }
  const tier = RISK_TIERS[level] ?? 'high';
  return { tier, approvalPath: policy.risk.approvalPaths[tier], reasons };
};
