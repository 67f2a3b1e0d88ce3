import { ApiProperty } from '@nestjs/swagger';
import { INSIGHT_RUN_STATES } from '@trainyard/scheduling-read-models';
import { ZOMBIE_REASONS } from '@trainyard/scheduling-domain';

const nullableNumber = { nullable: true, type: Number } as const;
const nullableString = { nullable: true, type: String } as const;

export class JobStatsDto {
  @ApiProperty({ example: 'finance.ledger.month-end-close' }) job!: string;
  @ApiProperty(nullableString) owner!: string | null;
  @ApiProperty(nullableNumber) currentVersion!: number | null;
  @ApiProperty() windowDays!: number;
  @ApiProperty() runs!: number;
  @ApiProperty() finished!: number;
  @ApiProperty() succeeded!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'cancelled or stopped' }) cancelled!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() missed!: number;
  @ApiProperty({ ...nullableNumber, description: 'failed / finished in the window' })
  failureRate!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'nearest-rank p50 of succeeded runs, ms' })
  durationP50Ms!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'nearest-rank p95 of succeeded runs, ms' })
  durationP95Ms!: number | null;
  @ApiProperty() slaMisses!: number;
  @ApiProperty() predictedLate!: number;
  @ApiProperty(nullableString) lastSuccessAt!: string | null;
  @ApiProperty(nullableString) lastRunAt!: string | null;
  @ApiProperty() activeRuns!: number;
}

export class JobStatsPageDto {
  @ApiProperty({ type: [JobStatsDto] }) items!: JobStatsDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class TeamQueueDto {
  @ApiProperty() team!: string;
  @ApiProperty({ description: 'runs scheduled or deferred, not started' }) queued!: number;
  @ApiProperty({ description: 'queued and past their not-before time' }) due!: number;
  @ApiProperty() deferred!: number;
  @ApiProperty() running!: number;
  @ApiProperty() runningTasks!: number;
  @ApiProperty() tasksAwaitingRetry!: number;
  @ApiProperty(nullableString) oldestQueuedSince!: string | null;
  @ApiProperty({ ...nullableNumber, description: 'start minus not-before, ms' })
  waitP50Ms!: number | null;
  @ApiProperty(nullableNumber) waitP95Ms!: number | null;
  @ApiProperty() startedInWindow!: number;
}

export class ZombieFindingDto {
  @ApiProperty() job!: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ enum: ZOMBIE_REASONS, isArray: true }) reasons!: string[];
  @ApiProperty() definedAt!: string;
  @ApiProperty({ required: false }) lastRunAt?: string;
  @ApiProperty({ required: false }) lastSuccessAt?: string;
  @ApiProperty() detail!: string;
}

export class PoolUsageDto {
  @ApiProperty({ example: 'db:payments' }) pool!: string;
  @ApiProperty({ description: 'tasks holding a slot now' }) holders!: number;
  @ApiProperty({ type: [String] }) holderJobs!: string[];
  @ApiProperty({ description: 'task time holding the pool in the window, ms' }) busyMs!: number;
  @ApiProperty() tasksInWindow!: number;
}

export class JobRunViewDto {
  @ApiProperty() runId!: string;
  @ApiProperty() job!: string;
  @ApiProperty() jobVersion!: number;
  @ApiProperty() team!: string;
  @ApiProperty() nominalTime!: string;
  @ApiProperty(nullableString) trigger!: string | null;
  @ApiProperty(nullableString) environment!: string | null;
  @ApiProperty({ enum: INSIGHT_RUN_STATES }) state!: string;
  @ApiProperty(nullableString) notBefore!: string | null;
  @ApiProperty() deferrals!: number;
  @ApiProperty(nullableString) deferredReason!: string | null;
  @ApiProperty(nullableString) deferredUntil!: string | null;
  @ApiProperty(nullableString) startedAt!: string | null;
  @ApiProperty(nullableString) finishedAt!: string | null;
  @ApiProperty(nullableNumber) durationMs!: number | null;
  @ApiProperty(nullableString) outcome!: string | null;
  @ApiProperty(nullableString) detail!: string | null;
}

export class TaskAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty(nullableString) worker!: string | null;
  @ApiProperty(nullableString) startedAt!: string | null;
  @ApiProperty(nullableString) finishedAt!: string | null;
  @ApiProperty(nullableNumber) durationMs!: number | null;
  @ApiProperty(nullableString) outcome!: string | null;
  @ApiProperty(nullableString) detail!: string | null;
}

export class TaskTimelineDto {
  @ApiProperty() taskId!: string;
  @ApiProperty({ type: [String] }) dependsOn!: string[];
  @ApiProperty({ type: [String], description: 'tasks that depend on it' }) children!: string[];
  @ApiProperty({ description: 'longest dependency chain above it' }) depth!: number;
  @ApiProperty() state!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty(nullableString) startedAt!: string | null;
  @ApiProperty(nullableString) finishedAt!: string | null;
  @ApiProperty(nullableNumber) durationMs!: number | null;
  @ApiProperty(nullableNumber) startOffsetMs!: number | null;
  @ApiProperty(nullableString) outcome!: string | null;
  @ApiProperty(nullableString) worker!: string | null;
  @ApiProperty({ type: [String] }) pools!: string[];
  @ApiProperty(nullableString) detail!: string | null;
  @ApiProperty({ type: [TaskAttemptDto] }) history!: TaskAttemptDto[];
}

export class RunSlaDto {
  @ApiProperty() deadline!: string;
  @ApiProperty(nullableString) predictedFinish!: string | null;
  @ApiProperty({ type: [String], nullable: true }) remainingTasks!: string[] | null;
  @ApiProperty(nullableString) missedDetectedAt!: string | null;
}

export class RunTimelineDto {
  @ApiProperty({ type: JobRunViewDto }) run!: JobRunViewDto;
  @ApiProperty({ type: RunSlaDto, nullable: true }) sla!: RunSlaDto | null;
  @ApiProperty({ type: [TaskTimelineDto], description: 'parents before children' })
  tasks!: TaskTimelineDto[];
}
