import { complianceIntegrationEventOf } from '@trainyard/compliance-contracts';
import { evaluationRecordOf, type PolicyEvaluated } from '@trainyard/compliance-domain';

/**
 * The service's publishing rule: the contract mapping, given `PolicyEvaluated` with its stored
 * compact explanation expanded (issue 13), so the published rules and sentences are what they
 * were when the event stored them spelled out. Version 1 rows (rules as stored) pass as they are.
 */
export const publishedEventOf = (stored: { readonly type: string; readonly data: unknown }) =>
  complianceIntegrationEventOf(
    stored.type === 'PolicyEvaluated'
      ? { type: stored.type, data: evaluationRecordOf(stored.data as PolicyEvaluated['data']) }
      : stored,
  );
