import { projectEvents } from '@trainyard/kernel';
import type { CalendarEntryDefinition } from '@trainyard/scheduling-domain';
import { schedulingCalendarProjection } from './calendar.projection';

const definition: CalendarEntryDefinition = {
  id: 'freeze-q4',
  kind: 'freeze',
  name: 'Q4 freeze',
  zone: 'Europe/Berlin',
  start: '2031-12-20T00:00',
  duration: 'P14D',
  dstPolicy: { gap: 'shift', overlap: 'first' },
  scope: { environments: ['prod'] },
};
const stored = (type: string, data: unknown, streamVersion: number) => ({
  type,
  data,
  streamVersion,
  metadata: { actor: 'alice' },
});

describe('the calendar projection', () => {
  it('keeps one row per entry with its definition, sequence and retirement', () => {
    const result = projectEvents(
      schedulingCalendarProjection,
      [
        stored(
          'CalendarEntryDefined',
          { definition, sequence: 0, definedBy: 'alice', definedAt: 't0' },
          1,
        ),
        stored(
          'CalendarEntryRevised',
          {
            definition: { ...definition, duration: 'P15D' },
            sequence: 1,
            revisedBy: 'bob',
            revisedAt: 't1',
          },
          2,
        ),
        stored(
          'CalendarEntryRetired',
          {
            entryId: 'freeze-q4',
            kind: 'freeze',
            sequence: 2,
            reason: 'cancelled',
            retiredBy: 'carol',
            retiredAt: 't2',
          },
          3,
        ),
        stored(
          'ComponentDeclared',
          { componentId: 'db', parentId: 'platform', declaredBy: 'alice', declaredAt: 't0' },
          1,
        ),
      ].map((e) => schedulingCalendarProjection.toEvent(e)),
    );
    expect(result['calendar_entries']).toEqual([
      expect.objectContaining({
        entryId: 'freeze-q4',
        kind: 'freeze',
        environments: ['prod'],
        trains: [],
        definition: { ...definition, duration: 'P15D' },
        sequence: 2,
        retired: true,
        retiredReason: 'cancelled',
        definedBy: 'alice',
        updatedBy: 'carol',
        version: 3,
      }),
    ]);
    expect(result['components']).toEqual([
      {
        componentId: 'db',
        parentId: 'platform',
        declaredBy: 'alice',
        declaredAt: 't0',
        version: 1,
      },
    ]);
  });
});
