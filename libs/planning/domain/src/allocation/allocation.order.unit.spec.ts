import fc from 'fast-check';
import { compareWsjf } from '../prioritization/wsjf';
import { priorityOrder } from './allocation.order';

const candidate = fc.record({
  tier: fc.integer({ min: 0, max: 2 }),
  costOfDelay: fc.constantFrom(3, 5, 8, 13, 21, 40, 0.5),
  jobSize: fc.constantFrom(1, 2, 3, 5, 8, 13, 0.5),
  registeredAtMs: fc.integer({ min: 0, max: 5 }),
});

type Candidate = { tier: number; costOfDelay: number; jobSize: number; registeredAtMs: number };

/** The reference: a comparison sort of the indexes by tier, WSJF (with its tie-breaks), index. */
const comparisonSort = (list: readonly Candidate[]): number[] =>
  list
    .map((_, i) => i)
    .sort(
      (a, b) =>
        (list[a] as Candidate).tier - (list[b] as Candidate).tier ||
        compareWsjf(
          (list[a] as Candidate).costOfDelay,
          (list[a] as Candidate).jobSize,
          (list[a] as Candidate).registeredAtMs,
          (list[b] as Candidate).costOfDelay,
          (list[b] as Candidate).jobSize,
          (list[b] as Candidate).registeredAtMs,
        ) ||
        a - b,
    );

const ordered = (list: readonly Candidate[]): number[] => [
  ...priorityOrder(
    Uint8Array.from(list.map((c) => c.tier)),
    Float64Array.from(list.map((c) => c.costOfDelay)),
    Float64Array.from(list.map((c) => c.jobSize)),
    Float64Array.from(list.map((c) => c.registeredAtMs)),
  ),
];

describe('priorityOrder', () => {
  it('given any candidates (many ties), when ordered, then the order is the comparison sort by tier, WSJF, index', () => {
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 200 }), (list) => {
        expect(ordered(list)).toEqual(comparisonSort(list));
      }),
      { numRuns: 300 },
    );
  });

  // Whole registration times with a small spread are ordered by numeric keys; fractional times, or a
  // spread too wide for exact keys, by comparisons. Both must give the comparison sort's order.
  it('given fractional, far-apart or negative registration times, when ordered, then the order is still the comparison sort', () => {
    // Few classes and few distinct times, so classes are large and hold ties.
    const crowded = fc.record({
      tier: fc.integer({ min: 0, max: 1 }),
      costOfDelay: fc.constantFrom(3, 8),
      jobSize: fc.constantFrom(1, 2),
      registeredAtMs: fc.oneof(
        fc.integer({ min: -3, max: 3 }),
        fc.constantFrom(0.5, -0.5, 1.25, -0, 8.64e15, -8.64e15, 2 ** 52),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e16, max: 1e16 }),
      ),
    });
    fc.assert(
      fc.property(fc.array(crowded, { maxLength: 200 }), (list) => {
        expect(ordered(list)).toEqual(comparisonSort(list));
      }),
      { numRuns: 300 },
    );
  });

  it('given no candidates, when ordered, then the order is empty', () => {
    const empty = new Float64Array(0);
    expect(priorityOrder(new Uint8Array(0), empty, empty, empty)).toHaveLength(0);
  });
});
