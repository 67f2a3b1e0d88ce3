// Section 1 of the compliance demo: the policy results compliance computed for each regulated
// workload when planning's WorkloadRegistered arrived, explained rule by rule, and a replay.
import type { compliance } from '@trainyard/grpc-contracts';
import type { ComplianceSession, EvaluatedWorkload } from './compliance-demo.types';
import { unary } from './demo-grpc';
import { waitUntil } from './demo-sections';
import { DEMO_POLICY_ID } from './compliance-policy';

const effectName = (effect: unknown): string =>
  String(effect).replace('RULE_EFFECT_', '').toLowerCase();

interface TraceStep {
  readonly expression: string;
  readonly value?: unknown;
  readonly error?: string;
}

const shown = (s: { value?: unknown; error?: string }): string =>
  s.error !== undefined ? `error ${s.error}` : JSON.stringify(s.value);

export interface PolicyResults {
  readonly evaluations: readonly EvaluatedWorkload[];
  /** The first regulated workload's evaluation (the one replayed and signed off). */
  readonly first: EvaluatedWorkload;
  readonly replay: compliance.ReplayEvaluationResponse;
}

/** Prints the demo policy's evaluation of each regulated workload and replays the first. */
export async function showPolicyResults(session: ComplianceSession): Promise<PolicyResults> {
  const { log, input, timeoutMs, target } = session;
  const { policies } = session.clients;
  const { auditor } = session.tokens;
  // 1. Policy results: compliance evaluated each regulated workload when planning's event came.
  log(
    `\nCompliance — policy results for ${input.releaseId}'s regulated workloads (policy ${DEMO_POLICY_ID}, evaluated on planning's WorkloadRegistered)`,
  );
  const evaluations: EvaluatedWorkload[] = [];
  for (const workloadId of input.regulatedWorkloadIds) {
    const row = await waitUntil(`the evaluation of ${workloadId}`, timeoutMs, async () => {
      const response = await fetch(
        `${target.httpUrl}/api/compliance/evaluations?subjectType=workload&subjectId=${encodeURIComponent(workloadId)}`,
        { headers: { authorization: `Bearer ${auditor}` } },
      );
      if (!response.ok) throw new Error(`GET /api/compliance/evaluations: HTTP ${response.status}`);
      const page = (await response.json()) as {
        items: { evaluationId: string; policyId: string }[];
      };
      return page.items.find((e) => e.policyId === DEMO_POLICY_ID);
    });
    const { evaluation } = await unary<compliance.GetEvaluationResponse>(
      policies,
      'GetEvaluation',
      { evaluationId: row.evaluationId },
      auditor,
    );
    if (!evaluation) throw new Error(`GetEvaluation ${row.evaluationId}: no evaluation`);
    const facts = JSON.parse(evaluation.factsJson) as { regulatedData?: string[] };
    log(
      `  ${workloadId} [${(facts.regulatedData ?? []).join(', ')}]: ${evaluation.result.toUpperCase()} — bundle ${evaluation.policyId}@${evaluation.bundleVersion}, evaluator ${evaluation.evaluatorVersion}, evaluation ${evaluation.evaluationId}`,
    );
    for (const rule of evaluation.rules) {
      const trace = JSON.parse(rule.traceJson || '{}') as TraceStep;
      log(
        `      ${rule.ruleId} (${effectName(rule.effect)}; ${rule.controls.join(', ')}): ${rule.outcome}`,
      );
      log(`        expression  ${trace.expression} = ${shown(trace)}`);
      log(`        decided by  ${rule.reason}`);
    }
    evaluations.push({
      workloadId,
      evaluationId: evaluation.evaluationId,
      result: evaluation.result,
      bundleVersion: evaluation.bundleVersion,
      rules: evaluation.rules.map((r) => ({
        ruleId: r.ruleId,
        effect: effectName(r.effect),
        outcome: r.outcome,
        reason: r.reason,
      })),
    });
  }
  const first = evaluations[0];
  if (!first) throw new Error(`${input.releaseId} has no regulated workloads`);
  const replay = await unary<compliance.ReplayEvaluationResponse>(
    policies,
    'ReplayEvaluation',
    { evaluationId: first.evaluationId },
    auditor,
  );
  log(
    `  replay of ${first.evaluationId} under bundle ${first.bundleVersion}: ${replay.equal ? 'same answer' : `DIFFERS: ${replay.differences.join('; ')}`}`,
  );

  return { evaluations, first, replay };
}
