// The compliance part of `npm run demo` (issue 13), over the compliance service's public APIs:
// a change-control policy (proposed by one person, approved by another) evaluated by compliance
// itself when planning's WorkloadRegistered events arrive, each result explained rule by rule;
// two sign-offs on a regulated workload and the author's refused self-approval; the emergency
// patch's retrospective review (opened by compliance from planning's EmergencyPatchScheduled),
// closed; a reproducible sample of the period; and a period evidence bundle written to a file and
// verified offline with the code of `npm run audit:verify-bundle` (readBundle + verifyBundle).
// Everything it creates carries the caller's per-run ids, and the policy is re-used across runs,
// so it can run again against the same platform.
import type {
  ComplianceDemoInput,
  ComplianceDemoResult,
  ComplianceDemoTarget,
  ComplianceSession,
} from './compliance-demo.types';
import { showPolicyResults } from './compliance-evaluations';
import { eraseRequester } from './compliance-erasure';
import { exportEvidenceBundle } from './compliance-evidence';
import { services } from './compliance-grpc';
import { closeRetrospective, signOffChange } from './compliance-reviews';
import { drawPeriodSample } from './compliance-sample';

export { DEMO_POLICY_ID, DEMO_POLICY_RULES, prepareCompliancePolicy } from './compliance-policy';
export type { PreparedPolicy } from './compliance-policy';
export type {
  ComplianceDemoInput,
  ComplianceDemoResult,
  ComplianceDemoTarget,
  EvaluatedWorkload,
} from './compliance-demo.types';

/** Runs the compliance demo against a running compliance service; prints it and returns what it saw. */
export async function runComplianceDemo(
  target: ComplianceDemoTarget,
  input: ComplianceDemoInput,
): Promise<ComplianceDemoResult> {
  const log = target.log ?? console.log;
  const timeoutMs = input.timeoutMs ?? 120_000;
  const { policies, reviews, sampling, privacy } = services(target.grpcAddress);
  try {
    const auditor = await target.sign(['auditor'], 'demo-auditor-ines');
    const officer = await target.sign(['compliance-officer'], 'demo-officer-chen');
    const approver = await target.sign(['approver'], 'demo-approver-ana');
    const selfSigner = await target.sign(['approver'], input.author);

    const session: ComplianceSession = {
      target,
      input,
      log,
      timeoutMs,
      clients: { policies, reviews, sampling, privacy },
      tokens: { auditor, officer, approver, selfSigner },
    };

    // 1. Policy results: compliance evaluated each regulated workload when planning's event came.
    const { evaluations, first, replay } = await showPolicyResults(session);

    // 2. Sign-offs: the author refused, two people in the configured roles approve.
    const workloadId = first.workloadId;
    const { refused, signed } = await signOffChange(session, workloadId);

    // 3. The emergency patch's retrospective review, opened by compliance from planning's event.
    const { retro, closed } = await closeRetrospective(session);

    // 4. A reproducible sample of this month's releases, checked against the change-control rules.
    const sample = await drawPeriodSample(session);

    // 5. Erasure: a requester's name sealed in planning's events, erased by compliance.
    const erasure = input.erasure
      ? await eraseRequester(target, input, input.erasure.planningGrpcAddress, privacy, {
          auditor,
          officer,
          timeoutMs,
        })
      : undefined;

    // 6. The period's evidence bundle, fetched over the API, written to a file, verified offline.
    const bundle = await exportEvidenceBundle(session, erasure !== undefined);

    return {
      evaluations,
      replayEqual: replay.equal,
      signedOffWorkload: workloadId,
      signOffs: (signed?.signOffs ?? []).map((s) => ({ signer: s.signer, role: s.role })),
      reviewStatus: signed?.status ?? '',
      refusedSelfApproval: {
        signer: input.author,
        rule: refused.rule ?? '',
        message: refused.details,
      },
      retrospective: {
        workloadId: input.emergencyWorkloadId,
        dueAt: retro.dueAt,
        status: closed.review?.status ?? '',
      },
      ...(sample?.sample
        ? {
            sample: {
              sampleId: sample.sample.sampleId,
              seed: sample.sample.seed,
              population: sample.sample.population,
              findings: sample.findings.length,
            },
          }
        : {}),
      ...(erasure ? { erasure } : {}),
      bundle,
    };
  } finally {
    policies.close();
    reviews.close();
    sampling.close();
    privacy.close();
  }
}
