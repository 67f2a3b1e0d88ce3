import { PriorityStarts } from './priority-starts';

// A light team's start in flight goes ahead of the dispatcher's and the flush's next steps
// (issue 12, scheduling.fairness); a giving-way waits for the starts in flight when it asked only.
const settledYet = async (p: Promise<void>): Promise<boolean> => {
  let settled = false;
  void p.then(() => (settled = true));
  // Every continuation already due runs before this one (the giving-way's, if it may go on).
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
};

describe('PriorityStarts', () => {
  it('lets the flood go on at once when no start is in flight', () => {
    expect(new PriorityStarts().giveWay()).toBeUndefined();
  });

  it('holds a giving-way until the starts in flight have ended', async () => {
    const priority = new PriorityStarts();
    const endA = priority.begin();
    const endB = priority.begin();
    const held = priority.giveWay()!;
    expect(await settledYet(held)).toBe(false);
    endA();
    expect(await settledYet(held)).toBe(false);
    endB();
    expect(await settledYet(held)).toBe(true);
    expect(priority.giveWay()).toBeUndefined();
  });

  it('never waits for a start that began after it asked', async () => {
    const priority = new PriorityStarts();
    const endFirst = priority.begin();
    const held = priority.giveWay()!;
    const endLater = priority.begin();
    endFirst();
    expect(await settledYet(held)).toBe(true);
    expect(priority.active).toBe(1);
    endLater();
    endLater(); // ending twice is one end
    expect(priority.active).toBe(0);
  });
});
