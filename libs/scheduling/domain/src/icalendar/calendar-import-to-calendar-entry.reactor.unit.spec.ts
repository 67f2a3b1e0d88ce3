import { parseMaintenanceCalendar } from './maintenance-calendar-import';
import { reactToMaintenanceCalendarImported } from './calendar-import-to-calendar-entry.reactor';

const [window] = parseMaintenanceCalendar(
  'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260601T100000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
  {
    defaultZone: 'UTC',
    components: { from: 'fixed', components: ['erp'] },
    idPrefix: 'ics.itsm',
  },
);
const reaction = {
  eventId: 'e-1',
  streamId: 'calendar-import-itsm',
  actor: 'bob',
  recordedAt: '2026-05-02T00:00:00Z',
};

describe('MaintenanceCalendarImported → calendar entries', () => {
  it('defines added windows, revises changed ones, retires removed ones, at the time of the read', () => {
    if (!window) throw new Error('fixture');
    const commands = reactToMaintenanceCalendarImported(
      {
        type: 'MaintenanceCalendarImported',
        data: {
          sourceId: 'itsm',
          readAt: '2026-05-01T10:00:00Z',
          added: [window],
          changed: [{ ...window, previousSequence: 0 }],
          removed: [{ uid: 'b', entryId: 'ics.itsm.b.0' }],
        },
      },
      reaction,
    );
    expect(commands.map((c) => [c.type, c.metadata.now, c.metadata.actor])).toEqual([
      ['DefineCalendarEntry', '2026-05-01T10:00:00Z', 'bob'],
      ['ReviseCalendarEntry', '2026-05-01T10:00:00Z', 'bob'],
      ['RetireCalendarEntry', '2026-05-01T10:00:00Z', 'bob'],
    ]);
    expect(commands[2]).toMatchObject({
      data: { entryId: 'ics.itsm.b.0' },
      metadata: { reason: 'removed from the maintenance calendar itsm' },
    });
  });

  it('answers nothing else', () => {
    expect(
      reactToMaintenanceCalendarImported(
        {
          type: 'CalendarImportSourceRegistered',
          data: {
            sourceId: 'itsm',
            name: 'x',
            defaultZone: 'UTC',
            components: { from: 'location' },
            registeredBy: 'bob',
            registeredAt: '2026-05-01T10:00:00Z',
          },
        },
        reaction,
      ),
    ).toEqual([]);
  });
});
