import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RUN_STATES } from '../runtime/job-run.queries';

export class TriggerRunBodyDto {
  @ApiProperty({ example: 'finance.ledger.month-end-close' }) job!: string;
  @ApiPropertyOptional({
    description: 'The same key again answers the same run (1–200 characters)',
  })
  idempotencyKey?: string;
  @ApiPropertyOptional({ description: 'Why the run is started (recorded)' }) reason?: string;
}

export class CancelRunBodyDto {
  @ApiPropertyOptional() reason?: string;
}

export class TaskRunDto {
  @ApiProperty() taskId!: string;
  @ApiProperty({ enum: ['pending', 'ready', 'running', 'done'] }) status!: string;
  @ApiProperty({ description: '1 for the first attempt; 0 before any' }) attempt!: number;
  @ApiProperty({ description: 'when done: succeeded, failed, timed-out, lost, skipped, cancelled' })
  outcome!: string;
  @ApiProperty({ type: [String] }) dependsOn!: string[];
  @ApiProperty({ description: "RFC 3339; '' before it started" }) startedAt!: string;
  @ApiProperty({ description: "RFC 3339; '' until finished" }) finishedAt!: string;
  @ApiProperty({ description: 'finished minus started; 0 until finished' }) durationMs!: number;
  @ApiPropertyOptional() exitCode?: number;
  @ApiPropertyOptional() httpStatus?: number;
  @ApiProperty({ description: 'short, never a secret' }) detail!: string;
  @ApiProperty({ description: 'the scheduler instance running it, while running' })
  leaseOwner!: string;
}

export class JobRunDto {
  @ApiProperty() runId!: string;
  @ApiProperty() job!: string;
  @ApiProperty() jobVersion!: number;
  @ApiProperty({ description: "the job's owner team" }) team!: string;
  @ApiProperty({ description: 'the schedule slot, or the trigger instant' }) nominalTime!: string;
  @ApiProperty({ enum: ['schedule', 'catch-up', 'manual'] }) trigger!: string;
  @ApiProperty({ enum: RUN_STATES }) state!: string;
  @ApiProperty({ description: "succeeded, failed or cancelled once finished; '' before" })
  outcome!: string;
  @ApiProperty() idempotencyKey!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty() finishedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty() cancelledBy!: string;
  @ApiProperty({ type: [TaskRunDto], description: 'dependency order; the run tree only' })
  tasks!: TaskRunDto[];
}

export class TriggerRunResultDto {
  @ApiProperty() runId!: string;
  @ApiProperty({ description: 'false when the idempotency key named an existing run' })
  created!: boolean;
  @ApiProperty({ type: JobRunDto }) run!: JobRunDto;
}

export class CancelRunResultDto {
  @ApiProperty({ description: 'false when the run had already finished' }) changed!: boolean;
  @ApiProperty({ type: JobRunDto }) run!: JobRunDto;
}

export class JobRunPageDto {
  @ApiProperty({ type: [JobRunDto] }) runs!: JobRunDto[];
  @ApiPropertyOptional({ description: 'absent on the last page' }) nextPageToken?: string;
}

export class TaskRunListDto {
  @ApiProperty({ type: [TaskRunDto] }) tasks!: TaskRunDto[];
}
