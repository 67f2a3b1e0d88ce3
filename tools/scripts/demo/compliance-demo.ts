// The compliance part of `npm run demo` (issue 13), over the compliance service's public APIs:
// a change-control policy (proposed by one person, approved by another) evaluated by compliance
// itself when planning's WorkloadRegistered events arrive, each result explained rule by rule;
// two sign-offs on a regulated workload and the author's refused self-approval; the emergency
// patch's retrospective review (opened by compliance from planning's EmergencyPatchScheduled),
// closed; a reproducible sample of the period; and a period evidence bundle written to a file and
// verified offline with the code of `npm run audit:verify-bundle` (readBundle + verifyBundle).
// Everything it creates carries the caller's per-run ids, and the policy is re-used across runs,
// so it can run again against the same platform.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { compliance, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import type {
  compliancePrivacy,
  complianceReview,
  complianceSampling,
  planning,
} from '@trainyard/grpc-contracts';
import { readBundle, verifyBundle, type BundleVerification } from '@trainyard/evidence';
import { waitUntil } from './demo-sections';

type Unary = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;
type GrpcClient = Client & Record<string, Unary>;

/** Where the compliance service is and who the demo's people are. */
export interface ComplianceDemoTarget {
  /** gRPC address of the compliance service (127.0.0.1:50054 under `npm start`). */
  readonly grpcAddress: string;
  /** Its HTTP base URL (http://127.0.0.1:3004 under `npm start`). */
  readonly httpUrl: string;
  /** Signs a bearer token for a person holding these roles (the platform's dev key). */
  readonly sign: (roles: readonly string[], subject: string) => Promise<string>;
  readonly log?: (line: string) => void;
}

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

const services = (address: string) => {
  const root = (
    loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
      trainyard: {
        compliance: {
          v1: Record<
            string,
            new (
              address: string,
              creds: ReturnType<typeof credentials.createInsecure>,
            ) => GrpcClient
          >;
        };
      };
    }
  ).trainyard.compliance.v1;
  const make = (name: string) => new root[name]!(address, credentials.createInsecure());
  return {
    policies: make('ComplianceService'),
    reviews: make('ReviewService'),
    sampling: make('SamplingService'),
    privacy: make('PrivacyService'),
  };
};

const planningClient = (address: string): GrpcClient =>
  new (
    loadPackageDefinition(trainyardPackageDefinition()) as unknown as {
      trainyard: {
        planning: {
          v1: {
            PlanningService: new (
              address: string,
              creds: ReturnType<typeof credentials.createInsecure>,
            ) => GrpcClient;
          };
        };
      };
    }
  ).trainyard.planning.v1.PlanningService(address, credentials.createInsecure());

/** A gRPC refusal as the demo prints it: status, the rule it cites, the message. */
export class GrpcRefusal extends Error {
  constructor(
    readonly method: string,
    readonly code: status,
    readonly rule: string | undefined,
    readonly details: string,
  ) {
    super(`${method}: ${details} (code ${code}${rule ? `, rule ${rule}` : ''})`);
  }
}

function unary<T>(client: GrpcClient, method: string, request: unknown, token: string): Promise<T> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (!fn) return reject(new Error(`no method ${method}`));
    fn.call(client, request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => {
      if (!error) return resolve(response as T);
      const rule = error.metadata?.get('trainyard-rule')[0];
      reject(
        new GrpcRefusal(
          method,
          error.code,
          rule === undefined ? undefined : String(rule),
          error.details || error.message,
        ),
      );
    });
  });
}

/** Polls `probe` until it answers (not undefined); a DemoTimeout names `what` when time is up. */
const poll = <T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> => waitUntil(what, timeoutMs, probe);

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
      if (error instanceof GrpcRefusal && error.code === status.NOT_FOUND) return undefined;
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
        (self instanceof GrpcRefusal
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

/** What the demo release brought along, as the planning part of the demo made it. */
export interface ComplianceDemoInput {
  readonly run: string;
  readonly releaseId: string;
  /** The release's workloads touching regulated data (PII, financial, health). */
  readonly regulatedWorkloadIds: readonly string[];
  /** The emergency patch's workload (planning's RequestEmergencyPatch). */
  readonly emergencyWorkloadId: string;
  /** Who registered the workloads (their author for the review). */
  readonly author: string;
  /** Start of the evidence period (ISO-8601): before the demo registered anything. */
  readonly periodFrom: string;
  /** Directory the bundle is written to (`.local/demo` under `npm run demo`). */
  readonly outDir: string;
  /** Services whose logs the bundle covers; default every service with a checkpoint. */
  readonly bundleServices?: readonly string[];
  /**
   * Erasure (crypto-shredding) end to end: a workload naming its requester is registered through
   * planning at this address, the requester erased, and withdrawn afterwards. Omit to skip.
   */
  readonly erasure?: { readonly planningGrpcAddress: string };
  /** How long to wait for compliance to catch up with planning's events (ms). */
  readonly timeoutMs?: number;
}

export interface EvaluatedWorkload {
  readonly workloadId: string;
  readonly evaluationId: string;
  readonly result: string;
  readonly bundleVersion: string;
  readonly rules: readonly { ruleId: string; effect: string; outcome: string; reason: string }[];
}

export interface ComplianceDemoResult {
  readonly evaluations: readonly EvaluatedWorkload[];
  readonly replayEqual: boolean;
  readonly signedOffWorkload: string;
  readonly signOffs: readonly { signer: string; role: string }[];
  readonly reviewStatus: string;
  readonly refusedSelfApproval: { signer: string; rule: string; message: string };
  readonly retrospective: { workloadId: string; dueAt: string; status: string };
  readonly sample?: { sampleId: string; seed: string; population: number; findings: number };
  readonly erasure?: {
    workloadId: string;
    subjectId: string;
    nameBefore: string;
    planningAfter: string;
    ledgerAfter: readonly string[];
    recordsAffected: number;
  };
  readonly bundle: { path: string; fingerprint: string; verification: BundleVerification };
}

const effectName = (effect: unknown): string =>
  String(effect).replace('RULE_EFFECT_', '').toLowerCase();

interface TraceStep {
  readonly expression: string;
  readonly value?: unknown;
  readonly error?: string;
}

const shown = (s: { value?: unknown; error?: string }): string =>
  s.error !== undefined ? `error ${s.error}` : JSON.stringify(s.value);

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

    // 1. Policy results: compliance evaluated each regulated workload when planning's event came.
    log(
      `\nCompliance — policy results for ${input.releaseId}'s regulated workloads (policy ${DEMO_POLICY_ID}, evaluated on planning's WorkloadRegistered)`,
    );
    const evaluations: EvaluatedWorkload[] = [];
    for (const workloadId of input.regulatedWorkloadIds) {
      const row = await poll(`the evaluation of ${workloadId}`, timeoutMs, async () => {
        const response = await fetch(
          `${target.httpUrl}/api/compliance/evaluations?subjectType=workload&subjectId=${encodeURIComponent(workloadId)}`,
          { headers: { authorization: `Bearer ${auditor}` } },
        );
        if (!response.ok)
          throw new Error(`GET /api/compliance/evaluations: HTTP ${response.status}`);
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

    // 2. Sign-offs: the author refused, two people in the configured roles approve.
    const workloadId = first.workloadId;
    const review = await poll(`the change review of ${workloadId}`, timeoutMs, async () => {
      const answer = await unary<complianceReview.GetChangeReviewResponse>(
        reviews,
        'GetChangeReview',
        { workloadId },
        auditor,
      ).catch((error: unknown) => {
        if (error instanceof GrpcRefusal && error.code === status.NOT_FOUND) return undefined;
        throw error;
      });
      return answer?.reviews.find((r) => r.kind === 'change');
    });
    log(
      `\nChange review of ${workloadId} (${review.dataClasses.join(', ')}): ${review.requiredSignOffs} sign-offs required from ${review.allowedRoles.join(' / ')}, none by the author ${review.author}`,
    );
    const refused = await unary(
      reviews,
      'SignOffChange',
      { workloadId, role: 'approver', reason: 'my own change looks fine' },
      selfSigner,
    ).then(
      () => {
        throw new Error(`the author ${input.author} was allowed to sign off ${workloadId}`);
      },
      (error: unknown) => {
        if (!(error instanceof GrpcRefusal)) throw error;
        return error;
      },
    );
    log(
      `  REFUSED: ${input.author} (the author) signing off as approver — rule ${refused.rule}: ${refused.details}`,
    );
    let signed: complianceReview.WorkloadReview | undefined;
    for (const [token, role] of [
      [officer, 'compliance-officer'],
      [approver, 'approver'],
    ] as const) {
      signed = (
        await unary<complianceReview.SignOffChangeResponse>(
          reviews,
          'SignOffChange',
          { workloadId, role, reason: 'reviewed the change and its evidence' },
          token,
        )
      ).review;
      const last = signed?.signOffs.at(-1);
      log(`  signed off by ${last?.signer} as ${last?.role} at ${last?.signedAt}`);
    }
    log(`  review ${workloadId}: ${signed?.status}`);

    // 3. The emergency patch's retrospective review, opened by compliance from planning's event.
    const retro = await poll(
      `the retrospective review of ${input.emergencyWorkloadId}`,
      timeoutMs,
      async () => {
        const answer = await unary<complianceReview.GetChangeReviewResponse>(
          reviews,
          'GetChangeReview',
          { workloadId: input.emergencyWorkloadId },
          auditor,
        ).catch((error: unknown) => {
          if (error instanceof GrpcRefusal && error.code === status.NOT_FOUND) return undefined;
          throw error;
        });
        return answer?.reviews.find((r) => r.kind === 'retrospective');
      },
    );
    log(
      `\nRetrospective review of the emergency patch ${input.emergencyWorkloadId} (release ${retro.releaseId}): ${retro.status}, opened ${retro.openedAt}, due ${retro.dueAt} (an overdue finding after that)`,
    );
    const closed = await unary<complianceReview.CloseRetrospectiveReviewResponse>(
      reviews,
      'CloseRetrospectiveReview',
      {
        workloadId: input.emergencyWorkloadId,
        findings:
          'Root cause (duplicate capture on retry) fixed; idempotency key added; runbook updated.',
      },
      officer,
    );
    log(`  closed by ${closed.review?.closedBy}: ${closed.review?.status}`);

    // 4. A reproducible sample of this month's releases, checked against the change-control rules.
    const period = new Date().toISOString().slice(0, 7);
    const seed = `demo-${input.run}`;
    const sample = await unary<complianceSampling.DrawSampleResponse>(
      sampling,
      'DrawSample',
      { period, percent: 25, seed },
      officer,
    ).then(
      (drawn) => drawn,
      (error: unknown) => {
        if (!(error instanceof GrpcRefusal)) throw error;
        log(`\nSample of ${period}: not drawn (${error.message})`);
        return undefined;
      },
    );
    if (sample?.sample) {
      const s = sample.sample;
      log(
        `\nSample ${s.sampleId} of ${s.period}: ${s.percent} % of ${s.population} releases, seed ${s.seed} (rules ${s.rulesVersion}; same seed, same draw): ${s.sampled.join(', ') || 'none'}; ${s.findingCount} findings`,
      );
      for (const f of sample.findings.slice(0, 5))
        log(
          `  finding ${f.rule} on ${f.releaseId}${f.workloadId ? `/${f.workloadId}` : ''}: ${f.message}`,
        );
      if (sample.findings.length > 5) log(`  … ${sample.findings.length - 5} more findings`);
    }

    // 5. Erasure: a requester's name sealed in planning's events, erased by compliance.
    const erasure = input.erasure
      ? await eraseRequester(target, input, input.erasure.planningGrpcAddress, privacy, {
          auditor,
          officer,
          timeoutMs,
        })
      : undefined;

    // 6. The period's evidence bundle, fetched over the API, written to a file, verified offline.
    const label = `${input.periodFrom.slice(0, 10)}-${input.run}`;
    const path = join(input.outDir, `evidence-${label}.tar`);
    let refusal = '';
    const exported = await poll('a signed checkpoint covering the period', timeoutMs, async () => {
      const to = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000).toISOString();
      const response = await fetch(`${target.httpUrl}/api/compliance/evidence-bundles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auditor}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: input.periodFrom,
          to,
          ...(input.bundleServices ? { services: input.bundleServices } : {}),
        }),
      });
      if (response.status === 409) {
        refusal = await response.text(); // no checkpoint covers the period yet
        return undefined;
      }
      if (!response.ok)
        throw new Error(
          `POST /api/compliance/evidence-bundles: HTTP ${response.status} ${await response.text()}`,
        );
      return {
        to,
        bytes: Buffer.from(await response.arrayBuffer()),
        fingerprint: response.headers.get('x-bundle-key-fingerprint') ?? '',
        services: response.headers.get('x-bundle-services') ?? '',
      };
    }).catch((error: unknown) => {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}; last answer ${refusal}`,
      );
    });
    mkdirSync(input.outDir, { recursive: true });
    writeFileSync(path, exported.bytes);
    log(
      `\nEvidence bundle of the period ${input.periodFrom} → ${exported.to} (${exported.services}) written to ${path}; manifest key ${exported.fingerprint}`,
    );
    // What `npm run audit:verify-bundle -- <path> --expect-key <fingerprint>` runs, offline.
    const verification = verifyBundle(await readBundle(path), {
      expectedFingerprint: exported.fingerprint,
    });
    if (verification.ok) {
      const s = verification.summary;
      log(
        `  verified offline${erasure ? ' (exported after the erasure: the logs still verify)' : ''}: ${s.files} files match the signed manifest; ${s.changes} changes; ${s.services.map((v) => `${v.service} checkpoint size ${v.treeSize}, ${v.events} events proven included`).join('; ')}`,
      );
    } else
      log(
        `  VERIFICATION FAILED (${verification.check})${verification.file ? ` ${verification.file}` : ''}: ${verification.message}`,
      );
    log(
      `  again by hand: npm run audit:verify-bundle -- ${path} --expect-key ${exported.fingerprint}`,
    );

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
      bundle: { path, fingerprint: exported.fingerprint, verification },
    };
  } finally {
    policies.close();
    reviews.close();
    sampling.close();
    privacy.close();
  }
}

const ERASED = '[erased]';

/**
 * Registers a workload naming its requester (sealed for the data subject by planning), shows the
 * name in planning's read model and compliance's ledger, erases the subject through compliance,
 * shows `[erased]` in both, and withdraws the workload (it was only there to be erased).
 */
async function eraseRequester(
  target: ComplianceDemoTarget,
  input: ComplianceDemoInput,
  planningAddress: string,
  privacy: GrpcClient,
  people: { auditor: string; officer: string; timeoutMs: number },
): Promise<NonNullable<ComplianceDemoResult['erasure']>> {
  const log = target.log ?? console.log;
  const client = planningClient(planningAddress);
  try {
    const writer = await target.sign(['admin'], input.author);
    const workloadId = `customer-export-${input.run}`;
    const subjectId = `demo-customer-${input.run}`;
    const name = `Grace Hopper (demo ${input.run})`;
    await unary(
      client,
      'RegisterWorkload',
      {
        workloadId,
        title: 'Customer data export (GDPR art. 20 request)',
        team: 'data-insights',
        components: [{ name: 'data-lake', kind: 'COMPONENT_KIND_DATABASE' }],
        regulatedData: ['REGULATED_DATA_CLASS_PII'],
        jobSize: 2,
        businessValue: 3,
        timeCriticality: 5,
        riskReduction: 2,
        dependsOn: [],
        schemaChange: false,
        reason: 'data portability request',
        requester: { subjectId, name },
      },
      writer,
    );
    const requesterIn = async (): Promise<{ planning: string; ledger: string[] }> => {
      const { workload } = await unary<planning.GetWorkloadResponse>(
        client,
        'GetWorkload',
        { workloadId },
        writer,
      ).catch((error: unknown) => {
        if (error instanceof GrpcRefusal && error.code === status.NOT_FOUND)
          return { workload: undefined };
        throw error;
      });
      const response = await fetch(
        `${target.httpUrl}/api/compliance/ledger?workload=${encodeURIComponent(workloadId)}`,
        { headers: { authorization: `Bearer ${people.auditor}` } },
      );
      if (!response.ok) throw new Error(`GET /api/compliance/ledger: HTTP ${response.status}`);
      const page = (await response.json()) as { items?: { data?: { requester?: unknown } }[] };
      return {
        planning: workload?.requesterName ?? '',
        ledger: (page.items ?? [])
          .map((i) => i.data?.requester)
          .filter((r): r is string => typeof r === 'string'),
      };
    };
    const before = await poll(
      `the requester of ${workloadId} in planning and the ledger`,
      people.timeoutMs,
      async () => {
        const seen = await requesterIn();
        return seen.planning === name && seen.ledger.includes(name) ? seen : undefined;
      },
    );
    log(
      `\nErasure: ${workloadId} was requested by data subject ${subjectId}; planning shows "${before.planning}", the ledger "${before.ledger.join('", "')}" (planning's events hold only the sealed ciphertext)`,
    );
    const { erasure } = await unary<compliancePrivacy.EraseSubjectResponse>(
      privacy,
      'EraseSubject',
      { subjectId, reason: `GDPR art. 17 request (demo ${input.run})` },
      people.officer,
    );
    log(
      `  subject ${subjectId} erased by ${erasure?.erasedBy} at ${erasure?.erasedAt} (its key shredded; ${erasure?.recordsAffected} ledger records affected)`,
    );
    const after = await poll(`"${ERASED}" for ${workloadId}`, people.timeoutMs, async () => {
      const seen = await requesterIn();
      return seen.planning === ERASED && seen.ledger.length > 0 && !seen.ledger.includes(name)
        ? seen
        : undefined;
    });
    log(`  now planning shows "${after.planning}", the ledger "${after.ledger.join('", "')}"`);
    await unary(client, 'WithdrawWorkload', { workloadId, reason: 'erasure demo done' }, writer);
    return {
      workloadId,
      subjectId,
      nameBefore: before.planning,
      planningAfter: after.planning,
      ledgerAfter: after.ledger,
      recordsAffected: erasure?.recordsAffected ?? 0,
    };
  } finally {
    client.close();
  }
}
