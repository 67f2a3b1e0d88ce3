import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SealedPersonalData } from '@trainyard/kernel';
import type {
  ApiContract,
  ChangeType,
  Component,
  RiskTier,
  SharedLibrary,
  TrackKind,
} from '@trainyard/planning-domain';

export type WorkloadViewState = 'backlog' | 'planned' | 'completed' | 'withdrawn';

/** One workload as the portals, allocation (candidates) and backlog health read it. */
export interface WorkloadRow {
  readonly workloadId: string;
  readonly title: string;
  readonly team: string;
  readonly state: WorkloadViewState;
  readonly trackId: string;
  readonly trackKind: TrackKind;
  readonly changeType: ChangeType;
  readonly classificationRule: string;
  readonly classificationExplanation: string;
  readonly riskTier: RiskTier;
  readonly approvalPath: string;
  readonly riskReasons: readonly string[];
  readonly jobSize: number;
  readonly businessValue: number;
  readonly timeCriticality: number;
  readonly riskReduction: number;
  readonly costOfDelay: number;
  readonly wsjf: number;
  readonly dependsOn: readonly string[];
  readonly components: readonly Component[];
  readonly regulatedData: readonly string[];
  readonly schemaChange: boolean;
  readonly apiContract: ApiContract | null;
  readonly libraries: readonly SharedLibrary[];
  readonly consumedApis: readonly ApiContract[];
  readonly featureFlag: string | null;
  readonly severity: number | null;
  readonly linkedIncident: string | null;
  readonly policyVersion: string;
  readonly registeredBy: string;
  readonly registeredAt: string;
  /**
   * The requester's name as recorded: ciphertext, opened when a query answers (so an erasure shows
   * at once, with no re-projection; docs/adr/0013-crypto-shredding.md).
   */
  readonly requester?: SealedPersonalData | null;
  /** The release it is planned in, or was completed in. */
  readonly releaseId: string | null;
  readonly deferralCount: number;
  readonly firstDeferredAt: string | null;
  readonly lastDeferredAt: string | null;
  readonly lastDeferralReason: string | null;
  readonly completedJobSize: number | null;
  readonly withdrawnReason: string | null;
  /** Version of the workload's stream this row reflects. */
  readonly version: number;
}

@Entity({ name: 'workloads' })
@Index('workloads_filter_idx', ['state', 'team', 'riskTier', 'changeType'])
@Index('workloads_track_idx', ['trackId', 'state'])
export class WorkloadView implements WorkloadRow {
  @PrimaryColumn({ name: 'workload_id', type: 'text' }) workloadId!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text' }) team!: string;
  @Column({ type: 'text' }) state!: WorkloadViewState;
  @Column({ name: 'track_id', type: 'text' }) trackId!: string;
  @Column({ name: 'track_kind', type: 'text' }) trackKind!: TrackKind;
  @Column({ name: 'change_type', type: 'text' }) changeType!: ChangeType;
  @Column({ name: 'classification_rule', type: 'text' }) classificationRule!: string;
  @Column({ name: 'classification_explanation', type: 'text' }) classificationExplanation!: string;
  @Column({ name: 'risk_tier', type: 'text' }) riskTier!: RiskTier;
  @Column({ name: 'approval_path', type: 'text' }) approvalPath!: string;
  @Column({ name: 'risk_reasons', type: 'jsonb' }) riskReasons!: string[];
  @Column({ name: 'job_size', type: 'integer' }) jobSize!: number;
  @Column({ name: 'business_value', type: 'integer' }) businessValue!: number;
  @Column({ name: 'time_criticality', type: 'integer' }) timeCriticality!: number;
  @Column({ name: 'risk_reduction', type: 'integer' }) riskReduction!: number;
  @Column({ name: 'cost_of_delay', type: 'integer' }) costOfDelay!: number;
  @Column({ type: 'double precision' }) wsjf!: number;
  @Column({ name: 'depends_on', type: 'jsonb' }) dependsOn!: string[];
  @Column({ type: 'jsonb' }) components!: Component[];
  @Column({ name: 'regulated_data', type: 'jsonb' }) regulatedData!: string[];
  @Column({ name: 'schema_change', type: 'boolean' }) schemaChange!: boolean;
  @Column({ name: 'api_contract', type: 'jsonb', nullable: true }) apiContract!: ApiContract | null;
  @Column({ type: 'jsonb' }) libraries!: SharedLibrary[];
  @Column({ name: 'consumed_apis', type: 'jsonb' }) consumedApis!: ApiContract[];
  @Column({ name: 'feature_flag', type: 'text', nullable: true }) featureFlag!: string | null;
  @Column({ type: 'integer', nullable: true }) severity!: number | null;
  @Column({ name: 'linked_incident', type: 'text', nullable: true }) linkedIncident!: string | null;
  @Column({ name: 'policy_version', type: 'text' }) policyVersion!: string;
  @Column({ name: 'registered_by', type: 'text' }) registeredBy!: string;
  @Column({ type: 'jsonb', nullable: true }) requester!: SealedPersonalData | null;
  @Column({ name: 'registered_at', type: 'text' }) registeredAt!: string;
  @Column({ name: 'release_id', type: 'text', nullable: true }) releaseId!: string | null;
  @Column({ name: 'deferral_count', type: 'integer' }) deferralCount!: number;
  @Column({ name: 'first_deferred_at', type: 'text', nullable: true }) firstDeferredAt!:
    string | null;
  @Column({ name: 'last_deferred_at', type: 'text', nullable: true }) lastDeferredAt!:
    string | null;
  @Column({ name: 'last_deferral_reason', type: 'text', nullable: true }) lastDeferralReason!:
    string | null;
  @Column({ name: 'completed_job_size', type: 'double precision', nullable: true })
  completedJobSize!: number | null;
  @Column({ name: 'withdrawn_reason', type: 'text', nullable: true }) withdrawnReason!:
    string | null;
  @Column({ type: 'integer' }) version!: number;
}
