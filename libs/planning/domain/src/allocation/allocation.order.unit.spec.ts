import fc from 'fast-check';
import { compareWsjf } from '../prioritization/wsjf';
import { priorityOrder } from './allocation.order';

const candidate = fc.record({
  tier: fc.integer({ min: 0, max: 2 }),
  costOfDelay: fc.constantFrom(3, 5, 8, 13, 21, 40, 0.5),
  jobSize: fc.constantFrom(1, 2, 3, 5, 8, 13, 0.5),
  registeredAtMs: fc.integer({ min: 0, max: 5 }),
});

describe('priorityOrder', () => {
  it('given any candidates (many ties), when ordered, then the order is the comparison sort by tier, WSJF, index', () => {
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 200 }), (list) => {
        const tier = Uint8Array.from(list.map((c) => c.tier));
        const cost = Float64Array.from(list.map((c) => c.costOfDelay));
        const size = Float64Array.from(list.map((c) => c.jobSize));
        const registered = Float64Array.from(list.map((c) => c.registeredAtMs));
        const expected = list
          .map((_, i) => i)
          .sort(
            (a, b) =>
              (tier[a] as number) - (tier[b] as number) ||
              compareWsjf(
                cost[a] as number,
                size[a] as number,
                registered[a] as number,
                cost[b] as number,
                size[b] as number,
                registered[b] as number,
              ) ||
              a - b,
          );
        expect([...priorityOrder(tier, cost, size, registered)]).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('given no candidates, when ordered, then the order is empty', () => {
    const empty = new Float64Array(0);
    expect(priorityOrder(new Uint8Array(0), empty, empty, empty)).toHaveLength(0);
  });
});
