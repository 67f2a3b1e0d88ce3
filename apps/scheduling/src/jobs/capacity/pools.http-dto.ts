import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HighLoadReservationDto {
  @ApiProperty({ description: 'A holiday calendar entry (e.g. month-end close)' })
  calendarEntryId!: string;
  @ApiProperty({
    description: 'Slots only critical jobs may take during its occurrences (1..slots)',
  })
  criticalSlots!: number;
}

export class PutPoolBodyDto {
  @ApiProperty({ description: '0..10000', example: 2 }) slots!: number;
  @ApiPropertyOptional({ type: [HighLoadReservationDto] })
  highLoadReservations?: HighLoadReservationDto[];
  @ApiPropertyOptional({ description: 'At most 500 characters' }) description?: string;
  @ApiPropertyOptional({ description: 'Why (recorded with the event)' }) reason?: string;
}

export class PoolDto {
  @ApiProperty({ example: 'db:payments' }) key!: string;
  @ApiProperty() slots!: number;
  @ApiProperty({ type: [HighLoadReservationDto] }) highLoadReservations!: HighLoadReservationDto[];
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ description: 'Slots held by unexpired leases now' }) held!: number;
  @ApiProperty() holders!: number;
  @ApiProperty({ description: 'held / slots' }) utilisation!: number;
  @ApiProperty({ description: 'Slots reserved for critical jobs now (active high-load period)' })
  reservedNow!: number;
  @ApiProperty() updatedBy!: string;
  @ApiProperty() updatedAt!: string;
}

export class PutPoolResultDto {
  @ApiProperty({ type: PoolDto }) pool!: PoolDto;
  @ApiProperty({ description: 'False when nothing changed (nothing recorded)' }) changed!: boolean;
}

export class PoolListDto {
  @ApiProperty({ type: [PoolDto] }) items!: PoolDto[];
}

export class TeamShareDto {
  @ApiProperty() team!: string;
  @ApiProperty({ description: 'Fair-share weight (default 1)' }) weight!: number;
  @ApiProperty({ description: 'Tasks ready and waiting for a worker' }) waiting!: number;
  @ApiProperty() running!: number;
}

export class ActiveHighLoadPeriodDto {
  @ApiProperty() calendarEntryId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() start!: string;
  @ApiProperty() end!: string;
  @ApiProperty({
    description: 'Reserved critical slots per pool',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  reservedByPool!: Record<string, number>;
}

export class FairnessDto {
  @ApiProperty({ type: [TeamShareDto] }) teams!: TeamShareDto[];
  @ApiProperty() defaultWeight!: number;
  @ApiProperty({ type: [ActiveHighLoadPeriodDto] }) highLoadPeriods!: ActiveHighLoadPeriodDto[];
}

export class PutTeamWeightBodyDto {
  @ApiProperty({ description: '0.01..1000', example: 2 }) weight!: number;
  @ApiPropertyOptional() reason?: string;
}

export class PutTeamWeightResultDto {
  @ApiProperty({ type: TeamShareDto }) team!: TeamShareDto;
  @ApiProperty() changed!: boolean;
}
