import fc from 'fast-check';
import { ValidationError } from '@trainyard/kernel';
import { CHANGE_CONTROL_RULES, checkRelease } from './change-control-rules';
import { drawSample, sampleSize } from './sample';
import { seededRandom } from './seeded-random';

const ids = fc.uniqueArray(fc.stringMatching(/^rel-[a-z0-9]{1,8}$/), {
  minLength: 0,
  maxLength: 60,
});
const seed = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
const percent = fc.integer({ min: 1, max: 100 });

describe('seeded sampling', () => {
  it('the same seed draws the same sample, whatever the population order', () => {
    fc.assert(
      fc.property(ids, seed, percent, (population, s, p) => {
        const first = drawSample({ period: '2026-11', percent: p, seed: s, population });
        const reversed = drawSample({
          period: '2026-11',
          percent: p,
          seed: s,
          population: [...population].reverse(),
        });
        expect(reversed).toEqual(first);
      }),
    );
  });

  it('draws ceil(population x percent / 100) distinct releases of the population', () => {
    fc.assert(
      fc.property(ids, seed, percent, (population, s, p) => {
        const sampled = drawSample({ period: '2026-Q4', percent: p, seed: s, population });
        expect(sampled).toHaveLength(Math.ceil((population.length * p) / 100));
        expect(new Set(sampled).size).toBe(sampled.length);
        for (const id of sampled) expect(population).toContain(id);
      }),
    );
    expect(sampleSize(15, 10)).toBe(2);
    expect(sampleSize(10, 10)).toBe(1);
    expect(sampleSize(1, 0.5)).toBe(1);
    expect(sampleSize(0, 50)).toBe(0);
  });

  it('different seeds draw different samples', () => {
    const population = Array.from({ length: 200 }, (_, i) => `rel-${String(i).padStart(3, '0')}`);
    const samples = ['a', 'b', 'c', 'd', 'e'].map((s) =>
      drawSample({ period: '2026-11', percent: 10, seed: s, population }).join(','),
    );
    expect(new Set(samples).size).toBe(samples.length);
  });

  it('the PRNG is reproducible and spreads evenly', () => {
    const a = seededRandom('x');
    const b = seededRandom('x');
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const buckets = new Array<number>(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]!++;
    for (const count of buckets) expect(Math.abs(count - 1_000)).toBeLessThan(150);
  });

  it.each([
    [{ period: '2026-13', percent: 10, seed: 's' }, 'period'],
    [{ period: '2026-11', percent: 0, seed: 's' }, 'percent'],
    [{ period: '2026-11', percent: 101, seed: 's' }, 'percent'],
    [{ period: '2026-11', percent: Number.NaN, seed: 's' }, 'percent'],
    [{ period: '2026-11', percent: 10, seed: '' }, 'seed'],
    [{ period: '2026-11', percent: 10, seed: 'a b' }, 'seed'],
  ])('refuses %j naming %s', (request, field) => {
    let caught: unknown;
    try {
      drawSample({ ...request, population: ['rel-1'] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
  });
});

describe('change-control check of a sampled release', () => {
  it('a compliant release raises nothing', () => {
    expect(
      checkRelease({
        releaseId: 'rel-1',
        committedAt: '2026-11-02T10:00:00Z',
        workloads: [
          {
            workloadId: 'w-1',
            regulated: true,
            includedAt: '2026-11-01T10:00:00Z',
            evaluations: [{ evaluationId: 'ev-1', result: 'allowed' }],
            signOffs: ['so-1'],
          },
        ],
      }),
    ).toEqual([]);
  });

  it('raises each broken rule with the evidence that showed it', () => {
    const findings = checkRelease({
      releaseId: 'rel-2',
      committedAt: '2026-11-02T10:00:00Z',
      workloads: [
        { workloadId: 'w-blocked', evaluations: [{ evaluationId: 'ev-9', result: 'blocked' }] },
        { workloadId: 'w-none', evaluations: [] },
        {
          workloadId: 'w-late',
          regulated: true,
          signOffs: [],
          includedAt: '2026-11-03T08:00:00Z',
          evaluations: [{ evaluationId: 'ev-3', result: 'warned' }],
        },
        {
          workloadId: 'w-late-ok',
          includedAt: '2026-11-03T08:00:00Z',
          scopeExceptionId: 'ex-1',
          evaluations: [{ evaluationId: 'ev-4', result: 'allowed' }],
        },
      ],
    });
    expect(findings.map((f) => [f.rule, f.workloadId])).toEqual([
      ['evaluated-without-block', 'w-blocked'],
      ['evaluated-without-block', 'w-none'],
      ['regulated-signed-off', 'w-late'],
      ['no-late-addition', 'w-late'],
    ]);
    expect(findings[0]).toMatchObject({
      releaseId: 'rel-2',
      rulesVersion: CHANGE_CONTROL_RULES.version,
      evidence: { blockedEvaluations: ['ev-9'] },
    });
    expect(findings[3]?.evidence).toEqual({
      committedAt: '2026-11-02T10:00:00Z',
      includedAt: '2026-11-03T08:00:00Z',
    });
  });
});
