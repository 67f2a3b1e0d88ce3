import type { CommandMetadata } from '@trainyard/kernel';
import type { PolicyRule } from '../policy/policy-rule';

export const at = (actor: string, reason?: string): CommandMetadata => ({
  now: '2031-05-04T09:00:00.000Z',
  actor,
  ...(reason !== undefined ? { reason } : {}),
});

export const twoApprovers: PolicyRule = {
  id: 'two-approvers',
  description: 'Changes touching regulated data need two approvers.',
  expression: 'size(facts.regulatedData) == 0 || facts.approvals.size() >= 2',
  controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
  effect: 'block',
  triggers: ['workload-registered'],
};

export const noHighRiskSchemaChange: PolicyRule = {
  id: 'schema-change-risk',
  description: 'A high-risk workload should not also change a schema.',
  expression: "!(facts.riskTier == 'high' && facts.schemaChange)",
  controls: ['ISO27001:A.8.32'],
  effect: 'warn',
  triggers: ['workload-registered'],
};
