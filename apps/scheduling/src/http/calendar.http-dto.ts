import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CALENDAR_ENTRY_KINDS } from '@trainyard/scheduling-domain';

export class CalendarScopeDto {
  @ApiPropertyOptional({ type: [String] }) trains?: string[];
  @ApiPropertyOptional({ type: [String] }) teams?: string[];
  @ApiPropertyOptional({ type: [String] }) environments?: string[];
  @ApiPropertyOptional({ type: [String] }) components?: string[];
}

export class CalendarRecurrenceDto {
  @ApiProperty({ description: 'RRULE value, local UNTIL', example: 'FREQ=WEEKLY;BYDAY=TU,TH' })
  rule!: string;
  @ApiPropertyOptional({ type: [String], description: 'EXDATE, local YYYY-MM-DDTHH:MM' })
  exceptions?: string[];
  @ApiPropertyOptional({ type: [String], description: 'RDATE, local YYYY-MM-DDTHH:MM' })
  additions?: string[];
}

export class DstPolicyDto {
  @ApiProperty({ enum: ['shift', 'skip'] }) gap!: string;
  @ApiProperty({ enum: ['first', 'last', 'both'] }) overlap!: string;
}

export class CalendarEntryDefinitionDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: CALENDAR_ENTRY_KINDS }) kind!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'Europe/Berlin' }) zone!: string;
  @ApiProperty({ description: 'local YYYY-MM-DDTHH:MM', example: '2031-05-05T22:00' })
  start!: string;
  @ApiProperty({ description: 'ISO 8601, wall-clock', example: 'PT4H' }) duration!: string;
  @ApiPropertyOptional({ type: CalendarRecurrenceDto }) recurrence?: CalendarRecurrenceDto;
  @ApiProperty({ type: DstPolicyDto }) dstPolicy!: DstPolicyDto;
  @ApiProperty({ type: CalendarScopeDto }) scope!: CalendarScopeDto;
  @ApiPropertyOptional({ type: [String] }) holidayRefs?: string[];
  @ApiPropertyOptional() teamWorkingHoursOnly?: boolean;
}

export class CalendarEntryDto {
  @ApiProperty() entryId!: string;
  @ApiProperty({ enum: CALENDAR_ENTRY_KINDS }) kind!: string;
  @ApiProperty() name!: string;
  @ApiProperty() zone!: string;
  @ApiProperty({ type: CalendarEntryDefinitionDto }) definition!: CalendarEntryDefinitionDto;
  @ApiProperty({ description: 'iCalendar SEQUENCE' }) sequence!: number;
  @ApiProperty() retired!: boolean;
  @ApiProperty({ type: String, nullable: true }) retiredReason!: string | null;
  @ApiProperty() definedBy!: string;
  @ApiProperty() definedAt!: string;
  @ApiProperty() updatedBy!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty() version!: number;
}

export class CalendarEntryPageDto {
  @ApiProperty({ type: [CalendarEntryDto] }) items!: CalendarEntryDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class ComponentDto {
  @ApiProperty() componentId!: string;
  @ApiProperty({ type: String, nullable: true }) parentId!: string | null;
  @ApiProperty() declaredBy!: string;
  @ApiProperty() declaredAt!: string;
  @ApiProperty() version!: number;
}

export class ComponentPageDto {
  @ApiProperty({ type: [ComponentDto] }) items!: ComponentDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class OccurrenceDto {
  @ApiProperty({ description: 'UTC YYYY-MM-DDTHH:MM:SSZ', example: '2031-05-05T20:00:00Z' })
  start!: string;
  @ApiProperty({ description: 'UTC YYYY-MM-DDTHH:MM:SSZ', example: '2031-05-06T00:00:00Z' })
  end!: string;
  @ApiProperty({ description: 'nominal local YYYY-MM-DDTHH:MM', example: '2031-05-05T22:00' })
  localStart!: string;
  @ApiProperty({ description: 'nominal local YYYY-MM-DDTHH:MM', example: '2031-05-06T02:00' })
  localEnd!: string;
  @ApiProperty({ example: 'Europe/Berlin' }) zone!: string;
  @ApiPropertyOptional({ description: 'the referenced holiday entry it comes from' })
  source?: string;
}

export class OccurrencesDto {
  @ApiProperty() entryId!: string;
  @ApiProperty() zone!: string;
  @ApiProperty({ type: [OccurrenceDto] }) occurrences!: OccurrenceDto[];
}
