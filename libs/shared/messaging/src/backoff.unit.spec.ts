import { backoffDelay, sleep } from './backoff';

describe('backoffDelay', () => {
  it('starts at initialMs and doubles per attempt up to maxMs', () => {
    const options = { initialMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('stays finite for very large attempt numbers', () => {
    expect(backoffDelay(10_000, { initialMs: 1, maxMs: 30_000 })).toBe(30_000);
  });
});

describe('sleep', () => {
  it('resolves at once when its signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = sleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
