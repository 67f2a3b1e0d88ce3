import { ApiProperty } from '@nestjs/swagger';
import { GAP_POLICIES, OVERLAP_POLICIES } from '@trainyard/scheduling-domain';

export class SchedulePreviewDto {
  @ApiProperty({
    type: [String],
    description:
      'UTC instants, `YYYY-MM-DDTHH:MM:SSZ`, strictly ascending; identical instants count once',
    example: ['2024-03-09T07:30:00Z', '2024-03-10T07:30:00Z', '2024-03-11T06:30:00Z'],
  })
  instants!: string[];

  @ApiProperty({ enum: GAP_POLICIES, description: 'the gap policy applied (default resolved)' })
  gap!: string;

  @ApiProperty({
    enum: OVERLAP_POLICIES,
    description: 'the overlap policy applied (default resolved)',
  })
  overlap!: string;
}
