/** One rule's outcome in an evaluation, with the sentence that explains it. */
export interface RuleOutcomeV1 {
  readonly ruleId: string;
  readonly effect: 'block' | 'warn';
  readonly controls: readonly string[];
  readonly outcome: 'passed' | 'failed' | 'error';
  /** Which sub-expression decided, with the values it saw. */
  readonly reason: string;
}

/** A change (or access request) was evaluated under a policy version. Key `evaluation-<subjectType>-<subjectId>`. */
export interface PolicyEvaluatedV1 {
  readonly evaluationId: string;
  readonly subject: { readonly type: string; readonly id: string };
  readonly trigger: string;
  readonly policyId: string;
  readonly bundleVersion: string;
  readonly evaluatorVersion: string;
  readonly result: 'allowed' | 'blocked' | 'warned';
  readonly rules: readonly RuleOutcomeV1[];
  /** The event that caused it, when one did. */
  readonly cause?: { readonly eventId: string; readonly eventType: string };
  readonly evaluatedAt: string;
}
