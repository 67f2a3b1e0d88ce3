import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ComponentMappingDto {
  @ApiProperty({
    enum: ['categories', 'location', 'property', 'fixed'],
    description:
      'where an event names its components: CATEGORIES, LOCATION, an X- property, or a fixed list for every event',
  })
  from!: string;

  @ApiPropertyOptional({
    description: 'categories: only values with this prefix, prefix removed',
    example: 'component:',
  })
  prefix?: string;

  @ApiPropertyOptional({ description: 'property: its name', example: 'X-COMPONENT' })
  property?: string;

  @ApiPropertyOptional({ type: [String], description: 'fixed: the components of every event' })
  components?: string[];

  @ApiPropertyOptional({ type: [String], description: 'components of an event that names none' })
  fallback?: string[];
}

export class RegisterCalendarImportDto {
  @ApiProperty({ description: 'the source id: letters, digits, ., _, -', example: 'itsm-changes' })
  sourceId!: string;

  @ApiProperty({ example: 'ITSM change calendar' })
  name!: string;

  @ApiPropertyOptional({
    description:
      'an http(s) URL under a prefix of SCHEDULING_ICAL_IMPORT_ALLOWED_URLS, re-read every SCHEDULING_ICAL_IMPORT_INTERVAL_MS; omit to PUT content instead',
    example: 'https://itsm.example.com/calendars/maintenance.ics',
  })
  url?: string;

  @ApiProperty({
    description: 'IANA zone of floating times and all-day events',
    example: 'Europe/Berlin',
  })
  defaultZone!: string;

  @ApiProperty({ type: ComponentMappingDto })
  components!: ComponentMappingDto;
}

export class CalendarImportSourceDto {
  @ApiProperty() sourceId!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional() url?: string;
  @ApiProperty() defaultZone!: string;
  @ApiProperty({ type: ComponentMappingDto }) components!: ComponentMappingDto;
}

export class CalendarImportResultDto {
  @ApiProperty({ type: CalendarImportSourceDto }) source!: CalendarImportSourceDto;
  @ApiProperty({ description: 'UTC instant the source was registered' }) registeredAt!: string;
  @ApiProperty({ description: 'maintenance windows the source holds now' }) windows!: number;
  @ApiProperty({ description: 'windows this read added' }) added!: number;
  @ApiProperty({ description: 'windows this read changed' }) changed!: number;
  @ApiProperty({ description: 'windows this read removed or cancelled' }) removed!: number;
  @ApiPropertyOptional({ description: 'UTC instant of the last read that changed something' })
  lastImportedAt?: string;
}

export class CalendarImportPageDto {
  @ApiProperty({ type: [CalendarImportResultDto] }) items!: CalendarImportResultDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}
