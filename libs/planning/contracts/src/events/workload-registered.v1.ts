import type {
  ApiContractV1,
  ChangeTypeV1,
  ComponentV1,
  InstantV1,
  RegulatedDataClassV1,
  RiskTierV1,
  SharedLibraryV1,
} from './planning-values.v1';

/** A workload entered the backlog, classified and routed. Key `workload-<workloadId>`. */
export interface WorkloadRegisteredV1 {
  readonly workloadId: string;
  readonly title: string;
  readonly team: string;
  readonly components: readonly ComponentV1[];
  readonly regulatedData: readonly RegulatedDataClassV1[];
  /** Modified Fibonacci (1, 2, 3, 5, 8, 13, 20), as are the three WSJF inputs below. */
  readonly jobSize: number;
  readonly businessValue: number;
  readonly timeCriticality: number;
  readonly riskReduction: number;
  /** The submitter's hint; `classification` is what the rules decided. */
  readonly changeType?: ChangeTypeV1;
  /** Workload ids this one needs released first. */
  readonly dependsOn: readonly string[];
  readonly apiContract?: ApiContractV1;
  readonly schemaChange: boolean;
  readonly consumedApis?: readonly ApiContractV1[];
  /** Absent on registrations from before libraries were tracked. */
  readonly libraries?: readonly SharedLibraryV1[];
  readonly featureFlag?: string;
  readonly severity?: number;
  readonly linkedIncident?: string;
  readonly classification: {
    readonly changeType: ChangeTypeV1;
    /** The policy rule that matched, or `fallback`. */
    readonly ruleId: string;
    readonly explanation: string;
  };
  readonly riskTier: RiskTierV1;
  readonly approvalPath: string;
  readonly riskReasons: readonly string[];
  readonly route: { readonly trackId: string; readonly trackKind: 'train' | 'independent' };
  readonly policyVersion: string;
  readonly registeredBy: string;
  readonly registeredAt: InstantV1;
  /**
   * Who asked for it: personal data sealed for its data subject (AES-256-GCM, envelope encryption).
   * Consumers store it as is and open it with the platform's key store when they answer; once the
   * subject is erased it cannot be opened by anyone (docs/adr/0013-crypto-shredding.md).
   */
  readonly requester?: SealedPersonalDataV1;
}

/** `{ "$pii": { v: 1, subject, kid, iv, ct } }`: iv and ct (ciphertext ‖ GCM tag) in base64. */
export interface SealedPersonalDataV1 {
  readonly $pii: {
    readonly v: 1;
    readonly subject: string;
    readonly kid: string;
    readonly iv: string;
    readonly ct: string;
  };
}
