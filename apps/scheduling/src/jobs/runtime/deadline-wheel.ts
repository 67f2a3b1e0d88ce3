/**
 * Deadlines of many items on a few timers (issue 12, cron fire lag): a deadline is rounded up to a
 * multiple of `resolutionMs` and shares that slot's one timer, so watching an item is a Map lookup
 * and a Set insert, not a timer of its own (arming and clearing a timer per task was a tenth of a
 * task's start in a cron burst). `onDue` runs at most `resolutionMs` after the deadline. A slot
 * whose items were all removed clears its timer (nothing keeps the process alive for it).
 */
export class DeadlineWheel<T> {
  private readonly slots = new Map<number, { items: Set<T>; timer: NodeJS.Timeout }>();

  constructor(
    private readonly resolutionMs: number,
    private readonly onDue: (item: T) => void,
    /** Monotonic milliseconds (the timers' time, not the runtime's clock). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Watches `item` until `inMs` from now; returns its slot (to `remove` it by). */
  add(item: T, inMs: number): number {
    const at = Math.ceil((this.now() + inMs) / this.resolutionMs) * this.resolutionMs;
    const slot = this.slots.get(at);
    if (slot) slot.items.add(item);
    else this.slots.set(at, { items: new Set([item]), timer: this.arm(at) });
    return at;
  }

  remove(item: T, at: number): void {
    const slot = this.slots.get(at);
    if (!slot?.items.delete(item) || slot.items.size > 0) return;
    clearTimeout(slot.timer);
    this.slots.delete(at);
  }

  /** Items watched. */
  get size(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.items.size;
    return n;
  }

  private arm(at: number): NodeJS.Timeout {
    return setTimeout(() => this.expire(at), Math.max(0, at - this.now()));
  }

  private expire(at: number): void {
    const slot = this.slots.get(at);
    if (!slot) return;
    // A timer may fire up to a millisecond early (its start was the loop's cached time).
    if (this.now() < at) {
      slot.timer = this.arm(at);
      return;
    }
    this.slots.delete(at);
    for (const item of slot.items) this.onDue(item);
  }
}
