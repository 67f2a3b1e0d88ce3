/** Stream ids: `<aggregate>-<id>`. */
export const policyStream = (policyId: string): string => `policy-${policyId}`;
/** One stream per evaluated subject: every evaluation of a workload lands on its stream. */
export const evaluationStream = (subject: { readonly type: string; readonly id: string }): string =>
  `evaluation-${subject.type}-${subject.id}`;
