import {
  compareWsjfKeys,
  explainPrecedence,
  explainWsjf,
  rankByWsjf,
  wsjfKey,
  wsjfScore,
} from './wsjf';
import type { WsjfInput } from './wsjf';

const item = (overrides: Partial<WsjfInput> & { workloadId: string }): WsjfInput => ({
  businessValue: 5,
  timeCriticality: 3,
  riskReduction: 2,
  jobSize: 5,
  registeredAt: '2026-01-01T00:00:00Z',
  ...overrides,
});

describe('WSJF', () => {
  it('is cost of delay (BV + TC + RR) over job size', () => {
    expect(
      wsjfScore(
        item({
          workloadId: 'A',
          businessValue: 8,
          timeCriticality: 5,
          riskReduction: 3,
          jobSize: 5,
        }),
      ),
    ).toBe(3.2);
    expect(
      explainWsjf(
        item({
          workloadId: 'A',
          businessValue: 8,
          timeCriticality: 5,
          riskReduction: 3,
          jobSize: 5,
        }),
      ),
    ).toBe('WSJF = (BV 8 + TC 5 + RR 3) / job 5 = 3.20');
  });

  it('ranks a quick win above a high-value long job when its WSJF is higher', () => {
    const ranked = rankByWsjf([
      item({
        workloadId: 'LONG',
        businessValue: 20,
        timeCriticality: 13,
        riskReduction: 8,
        jobSize: 20,
      }),
      item({
        workloadId: 'QUICK',
        businessValue: 5,
        timeCriticality: 3,
        riskReduction: 1,
        jobSize: 2,
      }),
    ]);
    expect(ranked.map((r) => r.workloadId)).toEqual(['QUICK', 'LONG']);
    expect(ranked[1]?.explanation).toBe(
      'WSJF = (BV 20 + TC 13 + RR 8) / job 20 = 2.05; QUICK before LONG: WSJF 4.50 vs 2.05',
    );
  });

  describe('breaks ties deterministically', () => {
    it('first by higher cost of delay', () => {
      const a = wsjfKey(
        item({
          workloadId: 'B',
          businessValue: 8,
          timeCriticality: 8,
          riskReduction: 4,
          jobSize: 10,
        }),
      );
      const b = wsjfKey(
        item({
          workloadId: 'A',
          businessValue: 5,
          timeCriticality: 3,
          riskReduction: 2,
          jobSize: 5,
        }),
      );
      expect(compareWsjfKeys(a, b)).toBeLessThan(0);
      expect(explainPrecedence(a, b)).toBe(
        'B before A: equal WSJF 2.00, higher cost of delay 20 vs 10',
      );
    });

    it('then by earlier registration', () => {
      const early = wsjfKey(item({ workloadId: 'Z', registeredAt: '2026-01-01T00:00:00Z' }));
      const late = wsjfKey(item({ workloadId: 'A', registeredAt: '2026-02-01T00:00:00Z' }));
      expect(compareWsjfKeys(early, late)).toBeLessThan(0);
      expect(explainPrecedence(early, late)).toBe(
        'Z before A: equal WSJF 2.00 and cost of delay, registered earlier (2026-01-01T00:00:00.000Z vs 2026-02-01T00:00:00.000Z)',
      );
    });

    it('then by id', () => {
      const a = wsjfKey(item({ workloadId: 'A' }));
      const b = wsjfKey(item({ workloadId: 'B' }));
      expect(compareWsjfKeys(a, b)).toBeLessThan(0);
      expect(compareWsjfKeys(b, a)).toBeGreaterThan(0);
      expect(explainPrecedence(a, b)).toBe(
        'A before B: equal WSJF 2.00, cost of delay and registration time; ordered by id',
      );
    });

    it('compares exactly, without floating-point ties', () => {
      // 1/3 vs 2/6 are equal rationals; cost of delay decides, not rounding noise.
      const third = wsjfKey(
        item({
          workloadId: 'A',
          businessValue: 1,
          timeCriticality: 1,
          riskReduction: 1,
          jobSize: 3,
        }),
      );
      const sixth = wsjfKey(
        item({
          workloadId: 'B',
          businessValue: 2,
          timeCriticality: 2,
          riskReduction: 2,
          jobSize: 3,
        }),
      );
      const twoSixths = wsjfKey(
        item({
          workloadId: 'C',
          businessValue: 2,
          timeCriticality: 2,
          riskReduction: 2,
          jobSize: 6,
        }),
      );
      expect(compareWsjfKeys(twoSixths, third)).toBeLessThan(0); // same 1.00, higher cost of delay
      expect(compareWsjfKeys(sixth, twoSixths)).toBeLessThan(0);
    });

    it('ranks the same set identically whatever the input order', () => {
      const items = ['D', 'C', 'B', 'A'].map((id) => item({ workloadId: id }));
      expect(rankByWsjf(items).map((r) => r.workloadId)).toEqual(['A', 'B', 'C', 'D']);
      expect(rankByWsjf([...items].reverse()).map((r) => r.workloadId)).toEqual([
        'A',
        'B',
        'C',
        'D',
      ]);
    });
  });
});
