/**
 * The one count of an instance's free workers (issue 12). The dispatcher and the result flush
 * (its hand-off and its claim of further ready tasks) both start tasks: each reserves workers here
 * before it claims and gives back what it did not use, so together they never hold more than
 * `capacity` tasks. A started task keeps its worker until it settles, is aborted, or loses its
 * lease. When workers come back after a reservation was refused, `onFreed` is called (the runtime
 * wakes its dispatcher), so a refused dispatcher never waits for its idle timer.
 */
export class WorkerSlots {
  private held = 0;
  private refused = false;

  constructor(
    readonly capacity: number,
    private readonly onFreed: () => void = () => undefined,
  ) {}

  get free(): number {
    return this.capacity - this.held;
  }

  get inUse(): number {
    return this.held;
  }

  /**
   * Gives back the unused part of a reservation whose holder ran out of ready work, not of
   * workers: nobody waits for a worker, so no wake-up and the refusal is forgotten. (Released as
   * freed, it woke the dispatcher that had just found nothing to claim, which claimed again at
   * once: a busy loop, about 2,000 empty claims a second, for as long as any task ran.)
   */
  returnUnused(n: number): void {
    this.refused = false;
    this.release(n);
  }

  /**
   * Takes up to `wanted` workers, leaving `keep` of them free (the headroom the dispatcher keeps
   * for teams below their fair share); returns how many were granted (0 when none is free).
   */
  reserve(wanted: number, keep = 0): number {
    const usable = this.capacity - Math.max(0, keep);
    const granted = Math.max(0, Math.min(wanted, this.free - Math.max(0, keep)));
    this.held += granted;
    // Refused: fewer than it could have had with every worker free (the kept ones never count).
    if (granted < Math.min(wanted, usable)) this.refused = true;
    return granted;
  }

  /**
   * Gives back `n` workers (a task ended, or a reservation was not used); `wake` false: without
   * calling `onFreed` (the refused one gives them back itself).
   */
  release(n = 1, wake = true): void {
    if (n <= 0) return;
    if (n > this.held) throw new Error(`released ${n} workers, but only ${this.held} are held`);
    this.held -= n;
    if (this.refused && wake) {
      this.refused = false;
      this.onFreed();
    }
  }
}
