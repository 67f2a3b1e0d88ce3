import fc from 'fast-check';
import { admit, retryAfterSeconds, type AdmissionLimits } from './admission';
import { jitteredNotBefore, startJitterMs } from './start-jitter';

describe('start-time jitter', () => {
  it('is the same for the same run id (every instance computes the same notBefore)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 3600 }), (runId, seconds) => {
        expect(startJitterMs(runId, seconds)).toBe(startJitterMs(runId, seconds));
      }),
    );
  });

  it('stays within 0..startJitterSeconds', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 86_400 }), (runId, seconds) => {
        const ms = startJitterMs(runId, seconds);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(seconds * 1000);
      }),
    );
  });

  it('spreads 1,000 runs of the same slot over the window (no herd)', () => {
    const delays = Array.from({ length: 1_000 }, (_, i) =>
      startJitterMs(`job-${i}@2031-05-31T22:00:00Z`, 60),
    );
    const buckets = new Array<number>(6).fill(0);
    for (const d of delays) buckets[Math.min(5, Math.floor(d / 10_000))]! += 1;
    for (const n of buckets) expect(n).toBeGreaterThan(100); // about 167 each
  });

  it('absent or zero: no delay; notBefore is the nominal time plus the delay', () => {
    expect(startJitterMs('r', undefined)).toBe(0);
    expect(startJitterMs('r', 0)).toBe(0);
    const at = '2031-05-31T22:00:00.000Z';
    expect(jitteredNotBefore('r', at, 30)).toBe(
      new Date(Date.parse(at) + startJitterMs('r', 30)).toISOString(),
    );
  });

  it('refuses a window longer than a day', () => {
    expect(() => startJitterMs('r', 86_401)).toThrow(/startJitterSeconds/);
  });
});

describe('admission control', () => {
  const limits: AdmissionLimits = { maxQueuedPerTeam: 100, maxQueuedPerJob: 10 };
  const request = (teamQueued: number, jobQueued: number, drain = 2) => ({
    team: 'payments',
    job: 'payments.ledger.close',
    teamQueue: { queued: teamQueued, drainPerSecond: drain },
    jobQueue: { queued: jobQueued, drainPerSecond: drain },
  });

  it('given room in both queues, then the run is admitted', () => {
    expect(admit(request(99, 9), limits)).toEqual({ admitted: true });
  });

  it('given the job queue full, then refused naming the job, retry after the drain time', () => {
    expect(admit(request(0, 10, 0.5), limits)).toEqual({
      admitted: false,
      scope: 'job',
      subject: 'payments.ledger.close',
      queued: 10,
      limit: 10,
      retryAfterSeconds: 2,
      message:
        'The job payments.ledger.close has 10 runs waiting, at most 10 may wait; retry in 2 s.',
    });
  });

  it('given the team queue full, then refused naming the team', () => {
    expect(admit(request(100, 0), limits)).toMatchObject({
      admitted: false,
      scope: 'team',
      subject: 'payments',
    });
  });

  it('retry-after: excess over drain rate, at least 1 s, at most the bound; no drain → the bound', () => {
    expect(retryAfterSeconds(10, 2)).toBe(5);
    expect(retryAfterSeconds(1, 1_000)).toBe(1);
    expect(retryAfterSeconds(1_000_000, 1)).toBe(300);
    expect(retryAfterSeconds(5, 0)).toBe(300);
    expect(retryAfterSeconds(5, 0, { maxRetryAfterSeconds: 30 })).toBe(30);
  });

  it('never admits beyond a limit, and always answers a positive retry-after when refusing', () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.nat(20),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        (team, job, drain, runs) => {
          const decision = admit({ ...request(team, job, drain), runs }, limits);
          const fits =
            team + runs <= limits.maxQueuedPerTeam && job + runs <= limits.maxQueuedPerJob;
          expect(decision.admitted).toBe(fits);
          const retry = decision.admitted ? 1 : decision.retryAfterSeconds;
          expect(retry >= 1 && retry <= 300).toBe(true);
        },
      ),
    );
  });
});
