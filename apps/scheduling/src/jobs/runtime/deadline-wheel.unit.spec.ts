import { DeadlineWheel } from './deadline-wheel';

describe('DeadlineWheel', () => {
  let now = 0;
  let due: string[];
  const wheel = () =>
    new DeadlineWheel<string>(
      100,
      (item) => due.push(item),
      () => now,
    );

  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
    due = [];
  });
  afterEach(() => jest.useRealTimers());

  const advance = (ms: number) => {
    now += ms;
    jest.advanceTimersByTime(ms);
  };

  it('an item is due once its deadline, rounded up to the resolution, has passed', () => {
    const w = wheel();
    expect(w.add('a', 250)).toBe(300);
    advance(299);
    expect(due).toEqual([]);
    advance(1);
    expect(due).toEqual(['a']);
    expect(w.size).toBe(0);
  });

  it('items whose deadlines round to the same slot share one timer, due together', () => {
    const w = wheel();
    w.add('a', 201);
    advance(50);
    w.add('b', 210);
    w.add('c', 450);
    expect(jest.getTimerCount()).toBe(2);
    advance(250);
    expect(due).toEqual(['a', 'b']);
    advance(200);
    expect(due).toEqual(['a', 'b', 'c']);
  });

  it('a removed item is never due; the last one removed from a slot clears its timer', () => {
    const w = wheel();
    const a = w.add('a', 100);
    const b = w.add('b', 100);
    w.remove('a', a);
    expect(jest.getTimerCount()).toBe(1);
    w.remove('b', b);
    expect(jest.getTimerCount()).toBe(0);
    w.remove('b', b); // again: nothing
    advance(1_000);
    expect(due).toEqual([]);
  });

  it('a timer that fires before its slot (the loop time was behind) waits for it', () => {
    const w = wheel();
    w.add('a', 100);
    now = 99; // the timer fires while the monotonic time says 99
    jest.advanceTimersByTime(100);
    expect(due).toEqual([]);
    expect(jest.getTimerCount()).toBe(1);
    advance(1);
    expect(due).toEqual(['a']);
  });
});
