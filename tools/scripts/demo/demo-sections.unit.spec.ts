import { DemoSections, DemoTimeout, waitUntil } from './demo-sections';

// `npm run demo` must not stop at the first section that fails: the failed section says why, the
// sections that need it are skipped, the others run, and the summary names every outcome.

const clockOf = (...times: number[]) => {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)] ?? 0;
};

describe('demo sections', () => {
  it('runs every section, returns their results and reports all passed', async () => {
    const lines: string[] = [];
    const demo = new DemoSections((line) => lines.push(line), clockOf(0, 1500, 2000, 2250));
    const first = await demo.run('planning', {}, () => Promise.resolve({ tracks: 3 }));
    const second = await demo.run('portfolio', { planning: first }, ({ planning }) =>
      Promise.resolve(planning.tracks * 2),
    );
    expect(second).toBe(6);
    expect(demo.ok).toBe(true);
    expect(lines).toEqual([]);
    expect(demo.summary()).toEqual([
      'Demo summary: all 2 sections passed',
      '  ok       planning   1.5 s',
      '  ok       portfolio  0.3 s',
    ]);
  });

  it('reports a failure with its reason and duration, skips what needs it and runs the rest', async () => {
    const lines: string[] = [];
    const demo = new DemoSections((line) => lines.push(line), clockOf(0, 2000, 5000, 5100));
    const planning = await demo.run('planning', {}, () =>
      Promise.reject(new Error('ListTracks at 127.0.0.1:50051: No connection established')),
    );
    let portfolioRan = false;
    const portfolio = await demo.run('portfolio', { planning }, () => {
      portfolioRan = true;
      return Promise.resolve(1);
    });
    const commit = await demo.run('commit', { portfolio }, () => Promise.resolve(1));
    const jobs = await demo.run('jobs', {}, () => Promise.resolve('ran'));

    expect(planning).toBeUndefined();
    expect(portfolioRan).toBe(false);
    expect([portfolio, commit]).toEqual([undefined, undefined]);
    expect(jobs).toBe('ran');
    expect(demo.ok).toBe(false);
    expect(lines).toEqual([
      '\n[planning] FAILED after 2.0 s: ListTracks at 127.0.0.1:50051: No connection established',
      '\n[portfolio] SKIPPED: needs planning, which did not complete',
      '\n[commit] SKIPPED: needs portfolio, which did not complete',
    ]);
    expect(demo.summary()).toEqual([
      'Demo summary: 3 of 4 sections did not pass',
      '  FAILED   planning   2.0 s  ListTracks at 127.0.0.1:50051: No connection established',
      '  skipped  portfolio  needs planning',
      '  skipped  commit     needs portfolio',
      '  ok       jobs       0.1 s',
    ]);
  });

  it('names every missing need of a section', async () => {
    const demo = new DemoSections(() => undefined);
    await demo.run('calendar', {}, () => Promise.reject(new Error('down')));
    const result = await demo.run(
      'override',
      { calendar: undefined, placement: undefined, planning: true },
      () => Promise.resolve(1),
    );
    expect(result).toBeUndefined();
    expect(demo.results[1]).toEqual({
      section: 'override',
      status: 'skipped',
      missing: ['calendar', 'placement'],
    });
  });
});

describe('waitUntil', () => {
  it('returns the first answer', async () => {
    let asked = 0;
    const answer = await waitUntil(
      'the third answer',
      5_000,
      () => Promise.resolve(++asked === 3 ? 'yes' : undefined),
      { everyMs: 1 },
    );
    expect(answer).toBe('yes');
    expect(asked).toBe(3);
  });

  it('says what it waited for and how long when time is up', async () => {
    const error = await waitUntil('scheduling to place R-1', 30, () => Promise.resolve(false), {
      everyMs: 5,
      lastAnswer: () => 'NOT_FOUND',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoTimeout);
    const timeout = error as DemoTimeout;
    expect(timeout.waitedFor).toBe('scheduling to place R-1');
    expect(timeout.waitedMs).toBeGreaterThanOrEqual(30);
    expect(timeout.message).toMatch(
      /^waited \d+\.\d s for scheduling to place R-1; last answer: NOT_FOUND$/,
    );
  });

  it('ends the wait at once when the probe throws', async () => {
    let asked = 0;
    const error = await waitUntil('anything', 60_000, () => {
      asked++;
      return Promise.reject(new Error('PERMISSION_DENIED'));
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('PERMISSION_DENIED');
    expect(asked).toBe(1);
  });
});
