import {
  foldInto,
  projectEvents,
  rowView,
  rowsView,
  type ProjectionDefinition,
} from './projection';

interface Moved {
  readonly type: 'Opened' | 'Moved' | 'Closed';
  readonly stream: string;
  readonly version: number;
  readonly to?: string;
}
interface Box {
  readonly id: string;
  readonly at: string;
  readonly version: number;
}
interface Visit {
  readonly place: string;
  readonly box: string;
}

/** Boxes (one row each, deleted when closed) and, per place, the boxes that were ever moved there. */
const boxes: ProjectionDefinition<Moved> = {
  name: 'boxes',
  eventTypes: ['Opened', 'Moved', 'Closed'],
  toEvent: (stored) => stored.data as Moved,
  streamVersionOf: (event) => event.version,
  views: [
    rowView<Moved, Box>({
      table: 'boxes',
      keyOf: (event) => event.stream,
      fold: (row, event) =>
        event.type === 'Closed'
          ? undefined
          : { id: event.stream, at: event.to ?? row?.at ?? 'dock', version: event.version },
      versionOf: (row) => row.version,
    }),
    rowsView<Moved, Visit>({
      table: 'visits',
      groupBy: ['place'],
      keyOf: (event) => event.to,
      fold: (rows, event) =>
        rows.some((r) => r.box === event.stream)
          ? rows
          : [...rows, { place: event.to ?? '', box: event.stream }],
    }),
  ],
};

const opened = (stream: string): Moved => ({ type: 'Opened', stream, version: 1 });
const moved = (stream: string, version: number, to: string): Moved => ({
  type: 'Moved',
  stream,
  version,
  to,
});

describe('projection folds in memory (the code the runner folds its batches with)', () => {
  it('gives each table its rows in key order; a fold giving no row removes it', () => {
    expect(
      projectEvents(boxes, [
        opened('b'),
        opened('a'),
        moved('a', 2, 'yard'),
        moved('b', 2, 'yard'),
        opened('c'),
        { type: 'Closed', stream: 'c', version: 2 },
      ]),
    ).toEqual({
      boxes: [
        { id: 'a', at: 'yard', version: 2 },
        { id: 'b', at: 'yard', version: 2 },
      ],
      visits: [
        { place: 'yard', box: 'a' },
        { place: 'yard', box: 'b' },
      ],
    });
  });

  it('skips, in every view, an event at or below the version its stream’s row holds (a replay)', () => {
    const states = boxes.views.map(() => new Map<string, unknown>());
    foldInto(boxes, states, [opened('a'), moved('a', 2, 'yard'), moved('a', 3, 'shed')]);
    const before = states.map((state) => new Map(state));
    const skipped = foldInto(boxes, states, [moved('a', 2, 'yard'), moved('a', 3, 'shed')]);
    expect(skipped).toBe(2);
    expect(states).toEqual(before);
    expect(foldInto(boxes, states, [moved('a', 4, 'pier')])).toBe(0);
    expect(states[0]?.get('a')).toEqual({ id: 'a', at: 'pier', version: 4 });
  });

  it('refuses versionOf without the definition’s streamVersionOf', () => {
    const withoutVersions: ProjectionDefinition<Moved> = { ...boxes, streamVersionOf: undefined };
    expect(() => projectEvents(withoutVersions, [opened('a'), moved('a', 2, 'yard')])).toThrow(
      'projection boxes: versionOf needs streamVersionOf',
    );
  });
});
