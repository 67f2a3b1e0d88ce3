import { WorkerSlots } from './worker-slots';

describe('WorkerSlots', () => {
  it('grants at most the free workers, whoever asks', () => {
    const slots = new WorkerSlots(3);
    expect(slots.reserve(2)).toBe(2); // the dispatcher
    expect(slots.reserve(3)).toBe(1); // the flush's hand-off gets what is left
    expect(slots.reserve(1)).toBe(0);
    expect(slots.inUse).toBe(3);
  });

  it('takes back unused reservations and ended tasks', () => {
    const slots = new WorkerSlots(2);
    slots.reserve(2);
    slots.release(1);
    expect(slots.free).toBe(1);
    slots.release(0);
    expect(slots.free).toBe(1);
  });

  it('calls onFreed when workers come back after a refusal, and only then', () => {
    let woken = 0;
    const slots = new WorkerSlots(1, () => woken++);
    slots.reserve(1);
    slots.release(1);
    expect(woken).toBe(0); // nobody was refused
    slots.reserve(1);
    expect(slots.reserve(1)).toBe(0);
    slots.release(1);
    expect(woken).toBe(1);
  });

  it('leaves the kept workers free for whoever asks without keeping any (the headroom)', () => {
    const slots = new WorkerSlots(4);
    expect(slots.reserve(4, 1)).toBe(3); // the dispatcher keeps one free
    expect(slots.reserve(4, 1)).toBe(0);
    expect(slots.reserve(1)).toBe(1); // the headroom's round
    expect(slots.free).toBe(0);
  });

  it('a reservation held back only by the headroom is no refusal (no wake-up when it is returned)', () => {
    let woken = 0;
    const slots = new WorkerSlots(4, () => woken++);
    slots.reserve(4, 1);
    slots.release(3);
    expect(woken).toBe(0);
  });

  // Regression: the dispatcher, refused some workers because tasks ran, found nothing to claim and
  // gave its reservation back as freed; the wake-up made it claim again at once, about 2,000 empty
  // claims a second for as long as any task ran.
  it('a reservation given back unused for want of work wakes nobody, and forgets the refusal', () => {
    let woken = 0;
    const slots = new WorkerSlots(4, () => woken++);
    slots.reserve(1); // a running task
    expect(slots.reserve(4)).toBe(3); // refused one
    slots.returnUnused(3);
    expect(woken).toBe(0);
    slots.release(1); // the task ends: nobody waits for it
    expect(woken).toBe(0);
    expect(slots.free).toBe(4);
  });

  it('refuses to release more than it holds (a bookkeeping bug, not a state to live with)', () => {
    const slots = new WorkerSlots(2);
    slots.reserve(1);
    expect(() => slots.release(2)).toThrow('released 2 workers, but only 1 are held');
  });
});

describe('WorkerSlots: starts from memory (pre-claimed runs)', () => {
  it('starts at once while a worker is free', () => {
    const slots = new WorkerSlots(2);
    const started: string[] = [];
    slots.acquire(() => started.push('a'));
    expect(started).toEqual(['a']);
    expect(slots.inUse).toBe(1);
  });

  it('waits for a worker in order of arrival, and reservations wait behind the line', () => {
    let woken = 0;
    const slots = new WorkerSlots(1, () => woken++);
    const started: string[] = [];
    slots.acquire(() => started.push('a'));
    slots.acquire(() => started.push('b'));
    slots.acquire(() => started.push('c'));
    expect(started).toEqual(['a']);
    expect(slots.queued).toBe(2);
    expect(slots.reserve(1)).toBe(0); // the dispatcher does not jump the line
    slots.release(1);
    expect(started).toEqual(['a', 'b']);
    expect(woken).toBe(0); // the worker went to the line, not back to the refused dispatcher
    slots.release(1);
    slots.release(1);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(woken).toBe(1); // the line is empty and a worker is free: the dispatcher is woken
    expect(slots.reserve(1)).toBe(1);
  });

  it('wakes the dispatcher once the line is through, though it was not refused itself', () => {
    let woken = 0;
    const slots = new WorkerSlots(1, () => woken++);
    slots.acquire(() => undefined);
    slots.acquire(() => undefined);
    slots.release(1);
    expect(woken).toBe(0);
    slots.release(1);
    expect(woken).toBe(1);
  });

  // A start that finds its lease no longer valid gives its worker back inside the callback: the
  // next in line gets it without recursion.
  it('a start that gives its worker back at once passes it on to the next in line', () => {
    const slots = new WorkerSlots(1);
    const started: string[] = [];
    slots.reserve(1);
    slots.acquire(() => slots.release(1));
    slots.acquire(() => started.push('b'));
    slots.release(1);
    expect(started).toEqual(['b']);
    expect(slots.inUse).toBe(1);
    expect(slots.queued).toBe(0);
  });
});
