import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Facts, RuleExplanation } from '@trainyard/compliance-domain';

/** One stored evaluation with its inputs and rule-by-rule explanation. */
export interface EvaluationRow {
  readonly evaluationId: string;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly trigger: string;
  readonly policyId: string;
  readonly bundleVersion: string;
  readonly evaluatorVersion: string;
  readonly result: string;
  readonly facts: Facts;
  readonly explanation: readonly RuleExplanation[];
  readonly causeEventId: string | null;
  readonly causeEventType: string | null;
  readonly evaluatedBy: string;
  readonly evaluatedAt: string;
}

@Entity({ name: 'policy_evaluations' })
@Index('policy_evaluations_subject_idx', ['subjectType', 'subjectId', 'evaluatedAt'])
@Index('policy_evaluations_result_idx', ['result', 'evaluatedAt'])
// The retention sweep's range scan; the migration (0005) builds it on `evaluated_at COLLATE "C"`.
@Index('policy_evaluations_retention_idx', ['evaluatedAt', 'evaluationId'])
export class EvaluationView implements EvaluationRow {
  @PrimaryColumn({ name: 'evaluation_id', type: 'text' }) evaluationId!: string;
  @Column({ name: 'subject_type', type: 'text' }) subjectType!: string;
  @Column({ name: 'subject_id', type: 'text' }) subjectId!: string;
  @Column({ type: 'text' }) trigger!: string;
  @Column({ name: 'policy_id', type: 'text' }) policyId!: string;
  @Column({ name: 'bundle_version', type: 'text' }) bundleVersion!: string;
  @Column({ name: 'evaluator_version', type: 'text' }) evaluatorVersion!: string;
  @Column({ type: 'text' }) result!: string;
  @Column({ type: 'jsonb' }) facts!: Facts;
  @Column({ type: 'jsonb' }) explanation!: RuleExplanation[];
  @Column({ name: 'cause_event_id', type: 'text', nullable: true }) causeEventId!: string | null;
  @Column({ name: 'cause_event_type', type: 'text', nullable: true }) causeEventType!:
    string | null;
  @Column({ name: 'evaluated_by', type: 'text' }) evaluatedBy!: string;
  @Column({ name: 'evaluated_at', type: 'text' }) evaluatedAt!: string;
}
