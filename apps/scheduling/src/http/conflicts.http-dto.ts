import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PLACEMENT_RULES } from '@trainyard/scheduling-domain';

const PARTY_KINDS = [
  'window',
  'working-hours',
  'freeze',
  'holiday',
  'maintenance',
  'deployment',
  'job',
  'owner',
  'deadline',
  'blast-radius',
];

export class ConflictPartyDto {
  @ApiProperty({ enum: PARTY_KINDS, description: 'who or what is in the way' })
  kind!: string;
  @ApiPropertyOptional({
    description:
      'the calendar entry (window, freeze, maintenance window), holiday calendar, deployment or job',
  })
  id?: string;
  @ApiPropertyOptional({
    description: 'the other party’s component (maintenance, deployment, job)',
  })
  component?: string;
  @ApiPropertyOptional({ description: 'the resource a job reserves' })
  resource?: string;
  @ApiPropertyOptional() owner?: string;
  @ApiPropertyOptional({ description: 'the owner’s booking' }) bookingId?: string;
  @ApiPropertyOptional({ description: 'the owner’s other deployment' }) deploymentId?: string;
  @ApiPropertyOptional({ description: 'the freeze that covers the holiday' }) freezeId?: string;
  @ApiPropertyOptional() team?: string;
  @ApiPropertyOptional({ description: 'the team’s IANA zone' }) zone?: string;
}

export class ConflictDto {
  @ApiProperty({ enum: PLACEMENT_RULES, example: 'freeze' }) rule!: string;
  @ApiProperty({
    description: 'UTC start of the part of the range concerned, `YYYY-MM-DDTHH:MM:SSZ`',
    example: '2024-06-03T10:00:00Z',
  })
  start!: string;
  @ApiProperty({ description: 'UTC end (exclusive)', example: '2024-06-03T12:00:00Z' })
  end!: string;
  @ApiProperty({ type: ConflictPartyDto }) party!: ConflictPartyDto;
}

export class ConflictPageDto {
  @ApiProperty({ type: [ConflictDto] }) items!: ConflictDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}
