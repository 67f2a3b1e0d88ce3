// The demo's change-control policy, proposed by one person and approved by another (four eyes).
import { status } from '@grpc/grpc-js';
import { compliance } from '@trainyard/grpc-contracts';
import type { ComplianceDemoTarget } from './compliance-demo.types';
import { services } from './compliance-grpc';
import { DemoCallError, unary } from './demo-grpc';

/** The demo's change-control policy: the same id every run, a new version only when it changed. */
export const DEMO_POLICY_ID = 'demo-change-control';
const POLICY_AUTHOR = 'demo-compliance-lead';
const POLICY_APPROVER = 'demo-ciso';
const BLOCK = compliance.RuleEffect.RULE_EFFECT_BLOCK;
const WARN = compliance.RuleEffect.RULE_EFFECT_WARN;

export const DEMO_POLICY_RULES: readonly compliance.PolicyRule[] = [
  {
    id: 'regulated-not-low-risk',
    description: 'A change touching regulated data (PII, financial, health) is never low risk.',
    expression: "facts.regulatedData.size() == 0 || facts.riskTier != 'low'",
    controls: ['SOC2:CC8.1', 'ISO27001:A.8.32'],
    effect: BLOCK,
    triggers: ['workload-registered'],
  },
  {
    id: 'regulated-schema-change-dpia',
    description:
      'A schema change to a store of regulated data needs a data-protection impact note.',
    expression: '!(facts.schemaChange && facts.regulatedData.size() > 0)',
    controls: ['GDPR:Art.35', 'ISO27001:A.5.34'],
    effect: WARN,
    triggers: ['workload-registered'],
  },
  {
    id: 'health-data-retention',
    description: 'Health data follows the HIPAA retention schedule (reviewed separately).',
    expression: "!('health' in facts.regulatedData)",
    controls: ['HIPAA:164.316'],
    effect: WARN,
    triggers: ['workload-registered'],
  },
];
const nextPatch = (version: string): string => {
  const [major = '1', minor = '0', patch = '0'] = version.split('.');
  return `${major}.${minor}.${Number(patch) + 1}`;
};

const normalized = (rules: readonly compliance.PolicyRule[]): string =>
  JSON.stringify(
    rules.map((r) => [r.id, r.description, r.expression, r.controls, r.effect, r.triggers]),
  );
const sameRules = (rules: readonly compliance.PolicyRule[]): boolean =>
  normalized(rules) === normalized(DEMO_POLICY_RULES);

export interface PreparedPolicy {
  readonly policyId: string;
  readonly version: string;
  /** False when an earlier run's version (same rules) was already active. */
  readonly changed: boolean;
  readonly proposedBy: string;
  readonly approvedBy: string;
}

/**
 * Makes the demo policy active before the portfolio is registered, so compliance evaluates every
 * workload as planning's events arrive: proposed by the compliance lead, approved by the CISO
 * (four eyes), a new patch version only when the rules differ from the active one.
 */
export async function prepareCompliancePolicy(
  target: ComplianceDemoTarget,
): Promise<PreparedPolicy> {
  const log = target.log ?? console.log;
  const { policies, reviews, sampling, privacy } = services(target.grpcAddress);
  try {
    const author = await target.sign(['compliance-officer'], POLICY_AUTHOR);
    const approver = await target.sign(['admin'], POLICY_APPROVER);
    const existing = await unary<compliance.GetPolicyBundleResponse>(
      policies,
      'GetPolicyBundle',
      { policyId: DEMO_POLICY_ID },
      author,
    ).catch((error: unknown) => {
      if (error instanceof DemoCallError && error.code === status.NOT_FOUND) return undefined;
      throw error;
    });
    const policy = existing?.policy;
    const active = policy?.versions.find((v) => v.version === policy.activeVersion);
    if (active && sameRules(active.rules)) {
      log(
        `\nCompliance: policy ${DEMO_POLICY_ID}@${active.version} already active (proposed by ${active.proposedBy}, approved by ${active.decidedBy})`,
      );
      return {
        policyId: DEMO_POLICY_ID,
        version: active.version,
        changed: false,
        proposedBy: active.proposedBy,
        approvedBy: active.decidedBy,
      };
    }
    const latest = policy?.latestVersion;
    const pending = policy?.versions.find(
      (v) => v.version === latest && v.status === 'Proposed' && sameRules(v.rules),
    );
    const version = pending?.version ?? (latest ? nextPatch(latest) : '1.0.0');
    if (!pending)
      await unary(
        policies,
        'ProposePolicyBundle',
        {
          policyId: DEMO_POLICY_ID,
          version,
          title: 'Demo change control for regulated data',
          rules: DEMO_POLICY_RULES,
          reason: 'change control for the demo portfolio',
        },
        author,
      );
    // Four eyes: the author may not approve it; the refusal is part of what the demo shows.
    const self = await unary(
      policies,
      'ApprovePolicyBundle',
      { policyId: DEMO_POLICY_ID, version, reason: 'self-approval attempt' },
      author,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    const approved = await unary<compliance.ApprovePolicyBundleResponse>(
      policies,
      'ApprovePolicyBundle',
      { policyId: DEMO_POLICY_ID, version, reason: 'reviewed' },
      approver,
    );
    log(
      `\nCompliance: policy ${DEMO_POLICY_ID}@${version} proposed by ${POLICY_AUTHOR}` +
        (self instanceof DemoCallError
          ? `; its author's approval refused (${self.rule ?? `code ${self.code}`})`
          : '') +
        `; approved by ${POLICY_APPROVER}, now active (${approved.policy?.activeVersion}); ${DEMO_POLICY_RULES.length} rules: ${DEMO_POLICY_RULES.map((r) => r.id).join(', ')}`,
    );
    return {
      policyId: DEMO_POLICY_ID,
      version,
      changed: true,
      proposedBy: POLICY_AUTHOR,
      approvedBy: POLICY_APPROVER,
    };
  } finally {
    policies.close();
    reviews.close();
    sampling.close();
    privacy.close();
  }
}
