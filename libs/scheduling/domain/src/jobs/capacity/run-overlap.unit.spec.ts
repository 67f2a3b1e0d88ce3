import type { JobConcurrency, RunOverlapPolicy } from '../job-manifest';
import { buffersToStart, decideDueRun, type JobRunsInFlight, type OverlapRun } from './run-overlap';

const run = (n: number): OverlapRun => ({
  runId: `r${n}`,
  nominalTime: `2031-05-04T0${n}:00:00.000Z`,
});
const policy = (overlap: RunOverlapPolicy, maxActiveRuns = 1): JobConcurrency => ({
  maxActiveRuns,
  overlap,
});
const inFlight = (active: number[], buffered: number[] = []): JobRunsInFlight => ({
  active: active.map(run),
  buffered: buffered.map(run),
});

describe('a job with no active run', () => {
  it.each(['skip', 'buffer-one', 'buffer-all', 'cancel-older', 'allow'] as const)(
    'given %s, when a run comes due, then it starts',
    (overlap) => {
      expect(decideDueRun(policy(overlap), inFlight([]), run(5))).toEqual({
        kind: 'start',
        promote: [],
      });
    },
  );

  it('given no concurrency at all, the default (one run, skip) applies', () => {
    expect(decideDueRun(undefined, inFlight([1]), run(2))).toMatchObject({
      kind: 'skip',
      reason: 'max-active-runs',
    });
  });
});

describe('a job at its limit of one active run', () => {
  it('given skip, when a run comes due, then it is skipped with the reason', () => {
    expect(decideDueRun(policy('skip'), inFlight([1]), run(2))).toEqual({
      kind: 'skip',
      reason: 'max-active-runs',
      detail: 'r2 skipped: 1 of at most 1 runs active; overlap policy skip.',
      promote: [],
    });
  });

  it('given buffer-one and an empty buffer, when a run comes due, then it is buffered', () => {
    expect(decideDueRun(policy('buffer-one'), inFlight([1]), run(2))).toEqual({
      kind: 'buffer',
      position: 1,
      promote: [],
    });
  });

  it('given buffer-one and one run buffered, when another comes due, then the new one is skipped', () => {
    expect(decideDueRun(policy('buffer-one'), inFlight([1], [2]), run(3))).toMatchObject({
      kind: 'skip',
      reason: 'buffer-full',
    });
  });

  it('given buffer-all and two runs buffered, when another comes due, then it is buffered third', () => {
    expect(decideDueRun(policy('buffer-all'), inFlight([1], [2, 3]), run(4))).toEqual({
      kind: 'buffer',
      position: 3,
      promote: [],
    });
  });

  it('given cancel-older, when a run comes due, then the active run is cancelled and it starts', () => {
    expect(decideDueRun(policy('cancel-older'), inFlight([1]), run(2))).toEqual({
      kind: 'cancel-older',
      cancel: ['r1'],
      promote: [],
    });
  });

  it('given allow, when a run comes due, then it starts beside the active one', () => {
    expect(decideDueRun(policy('allow'), inFlight([1]), run(2))).toEqual({
      kind: 'allow',
      promote: [],
    });
  });
});

describe('a job allowed three active runs', () => {
  it('given two active, when a run comes due, then it starts whatever the policy', () => {
    for (const overlap of ['skip', 'buffer-one', 'buffer-all', 'cancel-older', 'allow'] as const)
      expect(decideDueRun(policy(overlap, 3), inFlight([1, 2]), run(3)).kind).toBe('start');
  });

  it('given skip and three active, when a run comes due, then it is skipped', () => {
    expect(decideDueRun(policy('skip', 3), inFlight([1, 2, 3]), run(4)).kind).toBe('skip');
  });

  it('given cancel-older and three active, then only the oldest is cancelled (just enough room)', () => {
    expect(decideDueRun(policy('cancel-older', 3), inFlight([3, 1, 2]), run(4))).toEqual({
      kind: 'cancel-older',
      cancel: ['r1'],
      promote: [],
    });
  });

  it('given cancel-older with the limit lowered below the active runs, then enough oldest are cancelled', () => {
    expect(decideDueRun(policy('cancel-older', 2), inFlight([1, 2, 3, 4]), run(5))).toMatchObject({
      cancel: ['r1', 'r2', 'r3'],
    });
  });

  it('given buffered runs and room (the limit was raised), then the oldest buffered start first and the new one waits behind the rest', () => {
    expect(decideDueRun(policy('buffer-all', 3), inFlight([1], [4, 2, 3]), run(5))).toEqual({
      kind: 'buffer',
      position: 2,
      promote: ['r2', 'r3'],
    });
  });

  it('given room for every buffered run and the new one, then all start', () => {
    expect(decideDueRun(policy('buffer-all', 4), inFlight([1], [2]), run(3))).toEqual({
      kind: 'start',
      promote: ['r2'],
    });
  });
});

describe('when a run ends', () => {
  it('given buffer-one with a buffered run, then it starts', () => {
    expect(buffersToStart(policy('buffer-one'), inFlight([], [2]))).toEqual(['r2']);
  });

  it('given buffer-all, then the oldest buffered starts, one per free place', () => {
    expect(buffersToStart(policy('buffer-all'), inFlight([], [3, 2, 4]))).toEqual(['r2']);
    expect(buffersToStart(policy('buffer-all', 3), inFlight([1], [3, 2, 4]))).toEqual(['r2', 'r3']);
  });

  it('given the job still at its limit, then nothing starts', () => {
    expect(buffersToStart(policy('buffer-all', 2), inFlight([1, 5], [3]))).toEqual([]);
  });

  it('given nothing buffered, then nothing starts', () => {
    expect(buffersToStart(policy('skip'), inFlight([]))).toEqual([]);
  });
});

describe('an invalid concurrency', () => {
  it('refuses a maxActiveRuns below 1', () => {
    expect(() => decideDueRun(policy('skip', 0), inFlight([]), run(1))).toThrow(
      /concurrency.maxActiveRuns/,
    );
  });
});
