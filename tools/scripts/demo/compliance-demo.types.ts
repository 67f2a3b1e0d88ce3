import type { BundleVerification } from '@trainyard/evidence';
import type { DemoClient } from './demo-grpc';

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

/** The compliance service's clients the demo uses. */
export interface ComplianceClients {
  readonly policies: DemoClient;
  readonly reviews: DemoClient;
  readonly sampling: DemoClient;
  readonly privacy: DemoClient;
}

/** What every section of the compliance demo works with. */
export interface ComplianceSession {
  readonly target: ComplianceDemoTarget;
  readonly input: ComplianceDemoInput;
  readonly log: (line: string) => void;
  /** How long to wait for compliance to catch up with planning's events (ms). */
  readonly timeoutMs: number;
  readonly clients: ComplianceClients;
  /** Bearer tokens of the demo's people. */
  readonly tokens: {
    readonly auditor: string;
    readonly officer: string;
    readonly approver: string;
    /** The workloads' author, signing in the approver role. */
    readonly selfSigner: string;
  };
}
