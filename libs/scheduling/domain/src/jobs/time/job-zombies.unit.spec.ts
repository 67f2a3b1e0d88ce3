import { ValidationError } from '@trainyard/kernel';
import { assertZombieDays, detectZombies, type ZombieJobFacts } from './job-zombies';

const NOW = Date.parse('2031-06-30T00:00:00Z');
const job = (facts: Partial<ZombieJobFacts>): ZombieJobFacts => ({
  job: 'finance.ledger.close',
  owner: 'finance',
  definedAt: '2031-01-01T00:00:00Z',
  deprecated: false,
  lastRunAt: '2031-06-29T00:00:00Z',
  lastSuccessAt: '2031-06-29T01:00:00Z',
  ...facts,
});
const policy = { days: 30, knownTeams: ['finance', 'payroll'] };

describe('zombie detection (issue 12 item 7)', () => {
  it('a healthy job is no finding', () => {
    expect(detectZombies([job({})], policy, NOW)).toEqual([]);
  });

  it('given no run scheduled or requested in N days: no-run-needed', () => {
    const [finding] = detectZombies([job({ lastRunAt: '2031-05-01T00:00:00Z' })], policy, NOW);
    expect(finding?.reasons).toEqual(['no-run-needed']);
    expect(finding?.detail).toMatch(/30 days/);
  });

  it('given runs but no success in N days: no-successful-run', () => {
    const findings = detectZombies(
      [
        job({ job: 'a.b.c', owner: 'finance', lastSuccessAt: '2031-05-01T00:00:00Z' }),
        job({ job: 'a.b.d', owner: 'finance', lastSuccessAt: undefined }),
      ],
      policy,
      NOW,
    );
    expect(findings.map((f) => [f.job, f.reasons])).toEqual([
      ['a.b.c', ['no-successful-run']],
      ['a.b.d', ['no-successful-run']],
    ]);
  });

  it('given an owner team that is not known: owner-team-gone, whatever its age', () => {
    const findings = detectZombies(
      [job({ owner: 'gone', definedAt: '2031-06-29T00:00:00Z', lastRunAt: undefined })],
      policy,
      NOW,
    );
    expect(findings[0]?.reasons).toEqual(['owner-team-gone']);
  });

  it('without a known team list, owner teams are not judged', () => {
    expect(detectZombies([job({ owner: 'gone' })], { days: 30 }, NOW)).toEqual([]);
  });

  it('a job younger than N days, or deprecated, is no finding', () => {
    expect(
      detectZombies(
        [
          job({ definedAt: '2031-06-15T00:00:00Z', lastRunAt: undefined }),
          job({ deprecated: true, lastRunAt: undefined, owner: 'gone' }),
        ],
        policy,
        NOW,
      ),
    ).toEqual([]);
  });

  it('both reasons at once are both named', () => {
    const [finding] = detectZombies([job({ owner: 'gone', lastRunAt: undefined })], policy, NOW);
    expect(finding?.reasons).toEqual(['no-run-needed', 'owner-team-gone']);
  });

  it('refuses N outside 1..3650, naming the field', () => {
    for (const days of [0, -1, 1.5, 3651, Number.NaN])
      expect(() => assertZombieDays('days', days)).toThrow(ValidationError);
    expect(assertZombieDays('days', 30)).toBe(30);
  });
});
