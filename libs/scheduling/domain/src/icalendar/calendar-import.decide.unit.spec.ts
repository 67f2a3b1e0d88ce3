import { DeciderSpecification, RuleViolation, ValidationError } from '@trainyard/kernel';
import type { CalendarImportSource } from './calendar-import.commands';
import { calendarImportDecider } from './calendar-import.decider';
import type { CalendarImportEvent } from './calendar-import.events';
import { parseMaintenanceCalendar } from './maintenance-calendar-import';

const given = DeciderSpecification.for(calendarImportDecider, undefined);
const metadata = { now: '2026-05-01T10:00:00Z', actor: 'alice' };
const source: CalendarImportSource = {
  sourceId: 'itsm',
  name: 'ITSM change calendar',
  url: 'https://itsm.example/calendar.ics',
  defaultZone: 'Europe/Berlin',
  components: { from: 'fixed', components: ['erp'] },
};
const registered: CalendarImportEvent = {
  type: 'CalendarImportSourceRegistered',
  data: { ...source, registeredBy: 'alice', registeredAt: '2026-05-01T09:00:00Z' },
};
const windows = (...starts: string[]) =>
  parseMaintenanceCalendar(
    [
      'BEGIN:VCALENDAR',
      ...starts.flatMap((s, i) => [
        'BEGIN:VEVENT',
        `UID:e${i}`,
        `DTSTART:${s}`,
        'DURATION:PT1H',
        'END:VEVENT',
      ]),
      'END:VCALENDAR',
    ].join('\r\n'),
    { defaultZone: 'Europe/Berlin', components: source.components, idPrefix: 'ics.itsm' },
  );
const read = (w: ReturnType<typeof windows>) =>
  ({
    type: 'RecordMaintenanceCalendarRead',
    data: { sourceId: 'itsm', windows: w },
    metadata,
  }) as const;

describe('calendar import', () => {
  it('registers a source once; the same settings again change nothing; other settings are refused', () => {
    given([])
      .when({ type: 'RegisterCalendarImportSource', data: source, metadata })
      .then([
        {
          type: 'CalendarImportSourceRegistered',
          data: { ...source, registeredBy: 'alice', registeredAt: metadata.now },
        },
      ]);
    given([registered])
      .when({ type: 'RegisterCalendarImportSource', data: source, metadata })
      .thenNothingHappened();
    given([registered])
      .when({
        type: 'RegisterCalendarImportSource',
        data: { ...source, defaultZone: 'UTC' },
        metadata,
      })
      .thenThrows(RuleViolation, { rule: 'calendar-import-source-settings-fixed' });
  });

  it('refuses a bad source id or zone, naming the field', () => {
    given([])
      .when({
        type: 'RegisterCalendarImportSource',
        data: { ...source, sourceId: '../etc' },
        metadata,
      })
      .thenThrows(ValidationError, { field: 'sourceId' });
    given([])
      .when({
        type: 'RegisterCalendarImportSource',
        data: { ...source, defaultZone: 'Mars/Base' },
        metadata,
      })
      .thenThrows(ValidationError, { field: 'defaultZone' });
  });

  it('refuses a read of an unregistered source', () => {
    given([])
      .when(read(windows('20260601T100000Z')))
      .thenThrows(RuleViolation, { rule: 'calendar-import-source-registered' });
  });

  it('records only the difference of a read, and nothing when a re-read changed nothing', () => {
    const first = windows('20260601T100000Z', '20260602T100000Z');
    const imported: CalendarImportEvent = {
      type: 'MaintenanceCalendarImported',
      data: { sourceId: 'itsm', readAt: metadata.now, added: first, changed: [], removed: [] },
    };
    given([registered]).when(read(first)).then([imported]);
    given([registered, imported]).when(read(first)).thenNothingHappened();
    const second = windows('20260601T100000Z', '20260602T120000Z');
    given([registered, imported])
      .when(read(second.slice(1)))
      .thenEvents((events) => {
        expect(events).toHaveLength(1);
        const data = events[0]?.type === 'MaintenanceCalendarImported' ? events[0].data : undefined;
        expect(data?.added).toEqual([]);
        expect(data?.changed.map((w) => [w.uid, w.definition.start])).toEqual([
          ['e1', '2026-06-02T12:00'],
        ]);
        // e0 is gone from the calendar.
        expect(data?.removed.map((r) => r.uid)).toEqual(['e0']);
      });
  });
});
