/**
 * The change-control rules a sampled release is checked against, as versioned data: a finding
 * names the rule and this version, so a later change of the rules never rewrites old findings.
 */
export const CHANGE_CONTROL_RULES = {
  // 2: approvals before deployment and separation of duties, from the reviews and the ledger.
  version: '2',
  rules: [
    {
      id: 'evaluated-without-block',
      description:
        'Every workload included in the release has a policy evaluation, and none of its evaluations blocked.',
      controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
    },
    {
      id: 'regulated-signed-off',
      description: 'Every regulated workload included in the release has at least one sign-off.',
      controls: ['SOC2:CC8.1'],
    },
    {
      id: 'no-late-addition',
      description:
        'No workload was included after the scope was committed unless a scope exception covers it.',
      controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
    },
    {
      id: 'approved-before-deployment',
      description:
        'A regulated workload was deployed only after its change review had all required sign-offs.',
      controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
    },
    {
      id: 'separation-of-duties',
      description: 'Nobody who signed off a change also deployed it.',
      controls: ['SOC2:CC8.1', 'ISO27001:A.5.3'],
    },
  ],
} as const;

export type ChangeControlRuleId = (typeof CHANGE_CONTROL_RULES.rules)[number]['id'];

/** What the compliance read models know about a sampled release. */
export interface SampledReleaseEvidence {
  readonly releaseId: string;
  /** When the scope was committed (ISO-8601), when it was. */
  readonly committedAt?: string;
  readonly workloads: readonly {
    readonly workloadId: string;
    readonly regulated?: boolean;
    /** When the workload joined the release (ISO-8601), when known. */
    readonly includedAt?: string;
    readonly evaluations: readonly {
      readonly evaluationId: string;
      readonly result: 'allowed' | 'blocked' | 'warned';
    }[];
    /** Sign-off ids, when sign-off data exists (undefined: unknown, not checked). */
    readonly signOffs?: readonly string[];
    /** A scope exception granted for this workload, when there is one. */
    readonly scopeExceptionId?: string;
    /** Who signed off and when, when the change review is known. */
    readonly signers?: readonly { readonly signer: string; readonly signedAt: string }[];
    /** When the change review had all its required sign-offs (absent: never). */
    readonly approvedAt?: string;
    /** Deployments recorded for the workload (the review's authorised deployment, the ledger's). */
    readonly deployments?: readonly {
      readonly deployer: string;
      readonly deployedAt: string;
      /** The ledger event id or record that shows it. */
      readonly evidenceId: string;
    }[];
  }[];
}

/** `ComplianceFindingRaised`: a sampled release broke a rule; the evidence is what showed it. */
export interface ComplianceFindingRaised {
  readonly type: 'ComplianceFindingRaised';
  readonly data: ComplianceFinding & { readonly sampleId: string; readonly raisedAt: string };
}

export interface ComplianceFinding {
  readonly releaseId: string;
  readonly rule: ChangeControlRuleId;
  readonly rulesVersion: string;
  readonly workloadId: string;
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** The findings of one sampled release, in rule then workload order. Pure. */
export function checkRelease(release: SampledReleaseEvidence): readonly ComplianceFinding[] {
  const findings: ComplianceFinding[] = [];
  const version = CHANGE_CONTROL_RULES.version;
  const raise = (
    rule: ChangeControlRuleId,
    workloadId: string,
    message: string,
    evidence: Record<string, unknown>,
  ) =>
    findings.push({
      releaseId: release.releaseId,
      rule,
      rulesVersion: version,
      workloadId,
      message,
      evidence,
    });
  const workloads = [...release.workloads].sort((a, b) => a.workloadId.localeCompare(b.workloadId));

  for (const w of workloads) {
    if (w.evaluations.length === 0)
      raise(
        'evaluated-without-block',
        w.workloadId,
        `Workload ${w.workloadId} was released without a policy evaluation.`,
        { evaluations: [] },
      );
    const blocked = w.evaluations.filter((e) => e.result === 'blocked');
    if (blocked.length > 0)
      raise(
        'evaluated-without-block',
        w.workloadId,
        `Workload ${w.workloadId} was released although a policy evaluation blocked it.`,
        {
          blockedEvaluations: blocked.map((e) => e.evaluationId),
        },
      );
  }
  for (const w of workloads)
    if (w.regulated === true && w.signOffs !== undefined && w.signOffs.length === 0)
      raise(
        'regulated-signed-off',
        w.workloadId,
        `Regulated workload ${w.workloadId} was released without a sign-off.`,
        {
          regulated: true,
          signOffs: [],
        },
      );
  if (release.committedAt !== undefined) {
    const committed = Date.parse(release.committedAt);
    for (const w of workloads)
      if (
        w.includedAt !== undefined &&
        Date.parse(w.includedAt) > committed &&
        w.scopeExceptionId === undefined
      )
        raise(
          'no-late-addition',
          w.workloadId,
          `Workload ${w.workloadId} joined the release after its scope was committed, without a scope exception.`,
          {
            committedAt: release.committedAt,
            includedAt: w.includedAt,
          },
        );
  }
  for (const w of workloads) {
    if (w.regulated !== true) continue;
    for (const d of w.deployments ?? [])
      if (w.approvedAt === undefined || Date.parse(d.deployedAt) < Date.parse(w.approvedAt))
        raise(
          'approved-before-deployment',
          w.workloadId,
          w.approvedAt === undefined
            ? `Regulated workload ${w.workloadId} was deployed by ${d.deployer} without an approved change review.`
            : `Regulated workload ${w.workloadId} was deployed by ${d.deployer} before its change review was approved.`,
          {
            deployment: d,
            approvedAt: w.approvedAt ?? null,
            signers: w.signers ?? [],
          },
        );
  }
  for (const w of workloads) {
    const signers = w.signers ?? [];
    for (const d of w.deployments ?? []) {
      const signed = signers.find((s) => s.signer === d.deployer);
      if (signed)
        raise(
          'separation-of-duties',
          w.workloadId,
          `${d.deployer} both signed off and deployed workload ${w.workloadId}.`,
          { deployment: d, signOff: signed },
        );
    }
  }
  return findings;
}
