import fc from 'fast-check';
import type { DispatchCandidate, DispatchLoad } from '../runs/dispatch-policy';
import {
  chooseFairly,
  createFairSharePolicy,
  reservedSlots,
  type FairShareConfig,
} from './fair-share.dispatch-policy';

const NOW = '2031-05-31T22:00:00.000Z';
let seq = 0;
const candidate = (team: string, over: Partial<DispatchCandidate> = {}): DispatchCandidate => {
  seq += 1;
  return {
    taskRunId: `${team}-t${String(seq).padStart(6, '0')}`,
    runId: `${team}-r${seq}`,
    job: `${team}.sys.job`,
    team,
    priority: 50,
    criticality: 'medium',
    pools: [],
    readySince: `2031-05-31T21:${String(seq % 60).padStart(2, '0')}:00.000Z`,
    ...over,
  };
};
const load = (over: Partial<DispatchLoad> = {}): DispatchLoad => ({
  runningByTeam: {},
  freePoolSlots: {},
  capacity: 10,
  now: NOW,
  ...over,
});
const teamsOf = (chosen: readonly DispatchCandidate[]) => chosen.map((c) => c.team);

describe('fair sharing between teams', () => {
  it('given one team flooding over 1,000 keys and another with one task, then the other team starts at once', () => {
    const flood = Array.from({ length: 5_000 }, (_, i) =>
      candidate('flood', {
        job: `flood.sys.key-${i % 1_000}`,
        readySince: '2031-05-31T20:00:00.000Z',
      }),
    );
    const light = candidate('light', { readySince: '2031-05-31T21:59:59.000Z' });
    const chosen = chooseFairly(
      [...flood, light],
      load({ capacity: 2, runningByTeam: { flood: 24 } }),
    );
    expect(chosen).toContain(light);
  });

  it('given equal weights and nothing running, then starts alternate between teams', () => {
    const a = Array.from({ length: 5 }, () => candidate('a'));
    const b = Array.from({ length: 5 }, () => candidate('b'));
    const chosen = chooseFairly([...a, ...b], load({ capacity: 6 }));
    expect(teamsOf(chosen).filter((t) => t === 'a')).toHaveLength(3);
    expect(teamsOf(chosen).filter((t) => t === 'b')).toHaveLength(3);
  });

  it('given weights 3:1, then starts follow the weights', () => {
    const a = Array.from({ length: 20 }, () => candidate('a'));
    const b = Array.from({ length: 20 }, () => candidate('b'));
    const chosen = chooseFairly([...a, ...b], load({ capacity: 8 }), { weights: { a: 3 } });
    expect(teamsOf(chosen).filter((t) => t === 'a')).toHaveLength(6);
    expect(teamsOf(chosen).filter((t) => t === 'b')).toHaveLength(2);
  });

  it('given a team already running more than its share, then the other team goes first', () => {
    const chosen = chooseFairly(
      [candidate('a'), candidate('a'), candidate('b')],
      load({ capacity: 1, runningByTeam: { a: 3, b: 1 } }),
    );
    expect(teamsOf(chosen)).toEqual(['b']);
  });

  it('within a team, higher priority first, then the oldest', () => {
    const old = candidate('a', { readySince: '2031-05-31T20:00:00.000Z' });
    const young = candidate('a', { readySince: '2031-05-31T21:00:00.000Z' });
    const urgent = candidate('a', { readySince: '2031-05-31T21:30:00.000Z', priority: 90 });
    expect(chooseFairly([young, old, urgent], load({ capacity: 3 }))).toEqual([urgent, old, young]);
  });
});

describe('headroom for teams below their share', () => {
  it('given a team flooding alone, then it cannot take the headroom', () => {
    const flood = Array.from({ length: 30 }, () => candidate('flood'));
    const chosen = chooseFairly(flood, load({ capacity: 24, headroom: 1 }));
    expect(chosen).toHaveLength(23);
  });

  it('given a flood holding every other worker, then a team with nothing running takes the headroom', () => {
    const flood = Array.from({ length: 10 }, () => candidate('flood'));
    const light = candidate('light');
    const chosen = chooseFairly(
      [...flood, light],
      load({ capacity: 1, headroom: 1, runningByTeam: { flood: 23 } }),
    );
    expect(chosen).toEqual([light]);
  });

  it('given only over-share work in a headroom round, then nothing starts', () => {
    const flood = Array.from({ length: 10 }, () => candidate('flood'));
    const chosen = chooseFairly(
      flood,
      load({ capacity: 1, headroom: 1, runningByTeam: { flood: 23, light: 1 } }),
    );
    expect(chosen).toEqual([]);
  });

  it('given a team that just triggered work and another idle team at its share, then the newcomer starts in the headroom', () => {
    const a = Array.from({ length: 4 }, () => candidate('a'));
    const b = candidate('b');
    const chosen = chooseFairly(
      [...a, b],
      load({ capacity: 2, headroom: 2, runningByTeam: { a: 10, b: 2 } }),
    );
    // 14 workers over a, b and the newcomer the headroom is kept for: a (10) is over 14/3, b (2) below.
    expect(chosen).toEqual([b]);
  });

  it('given weights, then a heavier team is below its share with more running', () => {
    const a = candidate('a');
    const chosen = chooseFairly(
      [a],
      load({ capacity: 2, headroom: 2, runningByTeam: { a: 10, b: 10 } }),
      { weights: { a: 4 } },
    );
    // 22 workers, weights a 4 + b 1 + newcomer 1: a's level 10 / 4 = 2.5 is under 22 / 6.
    expect(chosen).toEqual([a]);
  });

  it('without headroom (the default load), the flood takes every worker', () => {
    const flood = Array.from({ length: 30 }, () => candidate('flood'));
    expect(chooseFairly(flood, load({ capacity: 24 }))).toHaveLength(24);
  });

  it('the policy carries the configured headroom, default 1', () => {
    expect(createFairSharePolicy().headroom).toBe(1);
    expect(createFairSharePolicy({ headroom: 3 }).headroom).toBe(3);
    expect(createFairSharePolicy({ headroom: 0 }).headroom).toBe(0);
  });
});

describe('pool slots', () => {
  it('never chooses more claims than free slots', () => {
    const cs = Array.from({ length: 5 }, () =>
      candidate('a', { pools: [{ pool: 'db:payments', slots: 1 }] }),
    );
    const chosen = chooseFairly(cs, load({ freePoolSlots: { 'db:payments': 2 } }));
    expect(chosen).toHaveLength(2);
  });

  it('given the oldest candidate waits for a full pool, then younger ones that fit start (no head-of-line blocking)', () => {
    const blocked = candidate('a', {
      readySince: '2031-05-31T00:00:00.000Z',
      pools: [{ pool: 'db:full', slots: 1 }],
    });
    const free = candidate('a', { pools: [{ pool: 'db:other', slots: 1 }] });
    const noPool = candidate('b');
    const chosen = chooseFairly(
      [blocked, free, noPool],
      load({ freePoolSlots: { 'db:full': 0, 'db:other': 1 } }),
    );
    expect(chosen).toEqual(expect.arrayContaining([free, noPool]));
    expect(chosen).not.toContain(blocked);
  });

  it('a pool not configured is unlimited', () => {
    const cs = Array.from({ length: 4 }, () =>
      candidate('a', { pools: [{ pool: 'x', slots: 9 }] }),
    );
    expect(chooseFairly(cs, load())).toHaveLength(4);
  });
});

describe('reserved slots during a declared high-load period', () => {
  const monthEnd: FairShareConfig = {
    highLoad: [{ name: 'month-end close', reservedByPool: { 'db:payments': 1 } }],
  };
  const claim = [{ pool: 'db:payments', slots: 1 }];

  it('given month-end, then non-critical work cannot take the reserved slot', () => {
    const cs = Array.from({ length: 3 }, () => candidate('a', { pools: claim }));
    expect(chooseFairly(cs, load({ freePoolSlots: { 'db:payments': 2 } }), monthEnd)).toHaveLength(
      1,
    );
  });

  it('given month-end, then critical work takes the reserved slot', () => {
    const normal = candidate('a', { pools: claim });
    const critical = candidate('b', { pools: claim, criticality: 'critical' });
    const chosen = chooseFairly(
      [normal, critical],
      load({ freePoolSlots: { 'db:payments': 1 } }),
      monthEnd,
    );
    expect(chosen).toEqual([critical]);
  });

  it('outside the period, every slot is for everyone', () => {
    const cs = Array.from({ length: 3 }, () => candidate('a', { pools: claim }));
    expect(chooseFairly(cs, load({ freePoolSlots: { 'db:payments': 2 } }), {})).toHaveLength(2);
  });

  it('two overlapping periods reserve the larger of their reservations', () => {
    expect(
      reservedSlots([
        { name: 'month-end', reservedByPool: { p: 1, q: 2 } },
        { name: 'quarter-end', reservedByPool: { p: 3 } },
      ]),
    ).toEqual({ p: 3, q: 2 });
  });
});

// ---- properties ----

const TEAMS = ['alpha', 'bravo', 'charlie', 'delta'];
const POOLS = ['db:a', 'db:b', 'db:c'];
const arbCandidates = fc
  .array(
    fc.record({
      team: fc.constantFrom(...TEAMS),
      priority: fc.integer({ min: 0, max: 100 }),
      critical: fc.boolean(),
      minute: fc.integer({ min: 0, max: 59 }),
      pools: fc.uniqueArray(
        fc.record({ pool: fc.constantFrom(...POOLS), slots: fc.integer({ min: 1, max: 3 }) }),
        { selector: (c) => c.pool, maxLength: 2 },
      ),
    }),
    { maxLength: 60 },
  )
  .map((rows) =>
    rows.map((r, i): DispatchCandidate => ({
      taskRunId: `t${String(i).padStart(3, '0')}`,
      runId: `r${i}`,
      job: `${r.team}.s.j`,
      team: r.team,
      priority: r.priority,
      criticality: r.critical ? 'critical' : 'low',
      pools: r.pools,
      readySince: `2031-05-31T21:${String(r.minute).padStart(2, '0')}:00.000Z`,
    })),
  );
const arbLoad = fc.record({
  runningByTeam: fc.dictionary(fc.constantFrom(...TEAMS), fc.integer({ min: 0, max: 10 })),
  freePoolSlots: fc.dictionary(fc.constantFrom(...POOLS), fc.integer({ min: 0, max: 6 })),
  capacity: fc.integer({ min: 0, max: 20 }),
  now: fc.constantFrom(NOW, '2031-06-01T00:00:00.000Z'),
});
const arbConfig = fc.record({
  weights: fc.dictionary(fc.constantFrom(...TEAMS), fc.integer({ min: 1, max: 5 })),
  highLoad: fc.array(
    fc.record({
      name: fc.constant('month-end'),
      reservedByPool: fc.dictionary(fc.constantFrom(...POOLS), fc.integer({ min: 0, max: 3 })),
    }),
    { maxLength: 2 },
  ),
});

const used = (chosen: readonly DispatchCandidate[], pool: string) =>
  chosen.flatMap((c) => c.pools).reduce((n, c) => n + (c.pool === pool ? c.slots : 0), 0);

describe('fair share: properties', () => {
  it('never exceeds capacity, free slots, or (for non-critical work) the unreserved slots', () => {
    fc.assert(
      fc.property(arbCandidates, arbLoad, arbConfig, (cs, l, config) => {
        const chosen = chooseFairly(cs, l, config);
        expect(chosen.length).toBeLessThanOrEqual(l.capacity);
        expect(new Set(chosen.map((c) => c.taskRunId)).size).toBe(chosen.length);
        const reserved = reservedSlots(config.highLoad);
        for (const [pool, free] of Object.entries(l.freePoolSlots)) {
          expect(used(chosen, pool)).toBeLessThanOrEqual(free);
          const nonCritical = chosen.filter((c) => c.criticality !== 'critical');
          expect(used(nonCritical, pool)).toBeLessThanOrEqual(
            Math.max(0, free - (reserved[pool] ?? 0)),
          );
        }
      }),
    );
  });

  it('no head-of-line blocking: below capacity, every candidate left out does not fit in what is left', () => {
    fc.assert(
      fc.property(arbCandidates, arbLoad, arbConfig, (cs, l, config) => {
        const chosen = chooseFairly(cs, l, config);
        if (chosen.length >= l.capacity) return;
        const reserved = reservedSlots(config.highLoad);
        for (const c of cs.filter((x) => !chosen.includes(x))) {
          const fits = c.pools.every(({ pool, slots }) => {
            const free = l.freePoolSlots[pool];
            if (free === undefined) return true;
            const left = free - used(chosen, pool);
            return slots <= (c.criticality === 'critical' ? left : left - (reserved[pool] ?? 0));
          });
          expect(fits).toBe(false);
        }
      }),
    );
  });

  it('is deterministic: the same candidates in any order give the same choice', () => {
    fc.assert(
      fc.property(
        arbCandidates.chain((cs) =>
          fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length })),
        ),
        arbLoad,
        arbConfig,
        ([cs, shuffled], l, config) => {
          const policy = createFairSharePolicy(config);
          expect(policy.choose(shuffled, l)).toEqual(policy.choose(cs, l));
        },
      ),
    );
  });

  it('a team with waiting work strictly below its weighted share gets a start in any round with capacity', () => {
    fc.assert(
      fc.property(arbCandidates, arbLoad, arbConfig, (cs, l, config) => {
        fc.pre(l.capacity > 0);
        const plain = cs.map((c) => ({ ...c, pools: [] }));
        const chosen = chooseFairly(plain, l, config);
        const weight = (t: string) => config.weights[t] ?? 1;
        const share = (t: string) => (l.runningByTeam[t] ?? 0) / weight(t);
        const waiting = [...new Set(plain.map((c) => c.team))];
        const belowShare = waiting.filter((team) =>
          waiting.every((other) => other === team || share(team) < share(other)),
        );
        for (const team of belowShare) expect(chosen.some((c) => c.team === team)).toBe(true);
      }),
    );
  });

  it('a steady trickle is served within the task duration however big the flood (simulated rounds)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 24 }), // workers
        fc.integer({ min: 1, max: 4 }), // rounds a task runs
        fc.integer({ min: 0, max: 3 }), // extra rounds between light arrivals
        fc.integer({ min: 1, max: 4 }), // flood weight
        (workers, duration, gap, floodWeight) => {
          const period = duration + gap;
          const flood = Array.from({ length: 2_000 }, (_, i) =>
            candidate('flood', {
              job: `flood.s.key-${i % 1_000}`,
              readySince: '2031-05-31T00:00:00.000Z',
            }),
          );
          let waiting = [...flood];
          const running: { team: string; endsAt: number }[] = [];
          const arrivedAt = new Map<string, number>();
          let worstWait = 0;
          for (let round = 0; round < 60; round += 1) {
            if (round % period === 0) {
              const light = candidate('light');
              arrivedAt.set(light.taskRunId, round);
              waiting.push(light);
            }
            for (let i = running.length - 1; i >= 0; i -= 1)
              if ((running[i]?.endsAt ?? 0) <= round) running.splice(i, 1);
            const runningByTeam: Record<string, number> = {};
            for (const r of running) runningByTeam[r.team] = (runningByTeam[r.team] ?? 0) + 1;
            const chosen = chooseFairly(
              waiting,
              load({
                capacity: workers - running.length,
                runningByTeam,
                now: new Date(Date.parse(NOW) + round * 1000).toISOString(),
              }),
              { weights: { flood: floodWeight } },
            );
            waiting = waiting.filter((c) => !chosen.includes(c));
            for (const c of chosen) {
              running.push({ team: c.team, endsAt: round + duration });
              const at = arrivedAt.get(c.taskRunId);
              if (at !== undefined) worstWait = Math.max(worstWait, round - at);
            }
          }
          expect(waiting.some((c) => c.team === 'light')).toBe(false);
          expect(worstWait).toBeLessThanOrEqual(duration);
        },
      ),
      { numRuns: 40 },
    );
  });
});
