import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Run states in the insight read model (the outcome once finished). */
export const INSIGHT_RUN_STATES = [
  'scheduled',
  'deferred',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'stopped',
  'skipped',
  'missed',
] as const;
export type InsightRunState = (typeof INSIGHT_RUN_STATES)[number];
export const ACTIVE_RUN_STATES: readonly InsightRunState[] = ['scheduled', 'deferred', 'running'];

/** Task states: running, waiting for a retry, or how the last attempt ended. */
export type InsightTaskState =
  | 'running'
  | 'retry-scheduled'
  | 'succeeded'
  | 'failed'
  | 'timed-out'
  | 'lost'
  | 'skipped'
  | 'cancelled';

/** One defined job (the running version's number; the versions' facts are in `insight_job_versions`). */
export interface InsightJobRow {
  readonly job: string;
  readonly owner: string;
  readonly definedAt: string;
  readonly updatedAt: string;
  readonly currentVersion: number;
  readonly version: number;
}

export interface InsightTaskNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** What the SLA watch and the zombie query need of each version of a job. */
export interface InsightJobVersionRow {
  readonly job: string;
  readonly jobVersion: number;
  readonly digest: string;
  readonly scheduled: boolean;
  readonly slaSeconds: number | null;
  readonly components: readonly string[];
  readonly tasks: readonly InsightTaskNode[];
  readonly appliedAt: string;
}

export interface InsightJobRunRow {
  readonly runId: string;
  readonly job: string;
  readonly jobVersion: number;
  readonly team: string;
  readonly nominalTime: string;
  readonly trigger: string | null;
  readonly environment: string | null;
  readonly state: InsightRunState;
  readonly notBefore: string | null;
  readonly deferrals: number;
  readonly deferredReason: string | null;
  readonly deferredUntil: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly outcome: string | null;
  /** Why it was skipped, missed or deferred last. */
  readonly detail: string | null;
  readonly version: number;
}

export interface InsightTaskAttempt {
  readonly attempt: number;
  readonly worker: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly outcome: string | null;
  readonly detail: string | null;
}

export interface InsightTaskRunRow {
  readonly runId: string;
  readonly taskId: string;
  readonly job: string;
  readonly team: string;
  readonly state: InsightTaskState;
  /** The highest attempt seen (1-based). */
  readonly attempts: number;
  readonly firstStartedAt: string | null;
  /** The current (last) attempt's start. */
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** The last attempt's duration. */
  readonly durationMs: number | null;
  readonly outcome: string | null;
  readonly worker: string | null;
  /** Pool keys held by the current attempt (from its fencing tokens). */
  readonly pools: readonly string[];
  readonly fencingTokens: Readonly<Record<string, number>>;
  readonly retryAt: string | null;
  readonly exitCode: number | null;
  readonly httpStatus: number | null;
  readonly detail: string | null;
  readonly history: readonly InsightTaskAttempt[];
}

export interface InsightRunSlaRow {
  readonly runId: string;
  readonly job: string;
  readonly team: string;
  readonly deadline: string;
  readonly predictedFinish: string | null;
  readonly remainingTasks: readonly string[] | null;
  readonly missedDetectedAt: string | null;
}

@Entity({ name: 'insight_jobs' })
export class InsightJobView implements InsightJobRow {
  @PrimaryColumn({ type: 'text' }) job!: string;
  @Column({ type: 'text' }) owner!: string;
  @Column({ name: 'defined_at', type: 'text' }) definedAt!: string;
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ name: 'current_version', type: 'integer' }) currentVersion!: number;
  @Column({ type: 'integer' }) version!: number;
}

@Entity({ name: 'insight_job_versions' })
export class InsightJobVersionView implements InsightJobVersionRow {
  @PrimaryColumn({ type: 'text' }) job!: string;
  @PrimaryColumn({ name: 'job_version', type: 'integer' }) jobVersion!: number;
  @Column({ type: 'text' }) digest!: string;
  @Column({ type: 'boolean' }) scheduled!: boolean;
  @Column({ name: 'sla_seconds', type: 'integer', nullable: true }) slaSeconds!: number | null;
  @Column({ type: 'jsonb' }) components!: string[];
  @Column({ type: 'jsonb' }) tasks!: InsightTaskNode[];
  @Column({ name: 'applied_at', type: 'text' }) appliedAt!: string;
}

@Entity({ name: 'insight_job_runs' })
@Index('insight_job_runs_job_idx', ['job', 'nominalTime'])
@Index('insight_job_runs_finished_idx', ['job', 'finishedAt'], {
  where: 'finished_at IS NOT NULL',
})
@Index('insight_job_runs_team_idx', ['team', 'state'])
@Index('insight_job_runs_active_idx', ['nominalTime'], {
  where: "state IN ('scheduled', 'deferred', 'running')",
})
export class InsightJobRunView implements InsightJobRunRow {
  @PrimaryColumn({ name: 'run_id', type: 'text' }) runId!: string;
  @Column({ type: 'text' }) job!: string;
  @Column({ name: 'job_version', type: 'integer' }) jobVersion!: number;
  @Column({ type: 'text' }) team!: string;
  @Column({ name: 'nominal_time', type: 'text' }) nominalTime!: string;
  @Column({ type: 'text', nullable: true }) trigger!: string | null;
  @Column({ type: 'text', nullable: true }) environment!: string | null;
  @Column({ type: 'text' }) state!: InsightRunState;
  @Column({ name: 'not_before', type: 'text', nullable: true }) notBefore!: string | null;
  @Column({ type: 'integer' }) deferrals!: number;
  @Column({ name: 'deferred_reason', type: 'text', nullable: true })
  deferredReason!: string | null;
  @Column({ name: 'deferred_until', type: 'text', nullable: true }) deferredUntil!: string | null;
  @Column({ name: 'started_at', type: 'text', nullable: true }) startedAt!: string | null;
  @Column({ name: 'finished_at', type: 'text', nullable: true }) finishedAt!: string | null;
  @Column({ name: 'duration_ms', type: 'double precision', nullable: true })
  durationMs!: number | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ type: 'integer' }) version!: number;
}

@Entity({ name: 'insight_task_runs' })
@Index('insight_task_runs_duration_idx', ['job', 'taskId', 'finishedAt'], {
  where: "outcome = 'succeeded'",
})
@Index('insight_task_runs_running_idx', ['team'], { where: "state = 'running'" })
export class InsightTaskRunView implements InsightTaskRunRow {
  @PrimaryColumn({ name: 'run_id', type: 'text' }) runId!: string;
  @PrimaryColumn({ name: 'task_id', type: 'text' }) taskId!: string;
  @Column({ type: 'text' }) job!: string;
  @Column({ type: 'text' }) team!: string;
  @Column({ type: 'text' }) state!: InsightTaskState;
  @Column({ type: 'integer' }) attempts!: number;
  @Column({ name: 'first_started_at', type: 'text', nullable: true })
  firstStartedAt!: string | null;
  @Column({ name: 'started_at', type: 'text', nullable: true }) startedAt!: string | null;
  @Column({ name: 'finished_at', type: 'text', nullable: true }) finishedAt!: string | null;
  @Column({ name: 'duration_ms', type: 'double precision', nullable: true })
  durationMs!: number | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ type: 'text', nullable: true }) worker!: string | null;
  @Column({ type: 'jsonb' }) pools!: string[];
  @Column({ name: 'fencing_tokens', type: 'jsonb' }) fencingTokens!: Record<string, number>;
  @Column({ name: 'retry_at', type: 'text', nullable: true }) retryAt!: string | null;
  @Column({ name: 'exit_code', type: 'integer', nullable: true }) exitCode!: number | null;
  @Column({ name: 'http_status', type: 'integer', nullable: true }) httpStatus!: number | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ type: 'jsonb' }) history!: InsightTaskAttempt[];
}

@Entity({ name: 'insight_run_slas' })
@Index('insight_run_slas_job_idx', ['job'])
export class InsightRunSlaView implements InsightRunSlaRow {
  @PrimaryColumn({ name: 'run_id', type: 'text' }) runId!: string;
  @Column({ type: 'text' }) job!: string;
  @Column({ type: 'text' }) team!: string;
  @Column({ type: 'text' }) deadline!: string;
  @Column({ name: 'predicted_finish', type: 'text', nullable: true })
  predictedFinish!: string | null;
  @Column({ name: 'remaining_tasks', type: 'jsonb', nullable: true })
  remainingTasks!: string[] | null;
  @Column({ name: 'missed_detected_at', type: 'text', nullable: true })
  missedDetectedAt!: string | null;
}

/** Every entity of the job-insight read model, for a TypeORM DataSource. */
export const JOB_INSIGHT_ENTITIES = [
  InsightJobView,
  InsightJobVersionView,
  InsightJobRunView,
  InsightTaskRunView,
  InsightRunSlaView,
] as const;
