/**
 * The one count of an instance's free workers (issue 12). The dispatcher and the result flush
 * (its hand-off and its claim of further ready tasks) both start tasks: each reserves workers here
 * before it claims and gives back what it did not use, so together they never hold more than
 * `capacity` tasks. A started task keeps its worker until it settles, is aborted, or loses its
 * lease. When workers come back after a reservation was refused, `onFreed` is called (the runtime
 * wakes its dispatcher), so a refused dispatcher never waits for its idle timer.
 *
 * Pre-claimed runs starting from memory at their start time come first (`acquire`): while one
 * waits, reservations are refused, and a worker that comes back goes to the first in line, so a
 * cron burst waits only for executions to end, never behind a claim's or a flush's round trip.
 */
export class WorkerSlots {
  private held = 0;
  private refused = false;
  private readonly waiting: (() => void)[] = [];
  private draining = false;

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

  /** Starts waiting for a worker. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Gives back the unused part of a reservation whose holder ran out of ready work, not of
   * workers: nobody waits for a worker, so no wake-up and the refusal is forgotten. (Released as
   * freed, it woke the dispatcher that had just found nothing to claim, which claimed again at
   * once: a busy loop, about 2,000 empty claims a second, for as long as any task ran.) Starts in
   * line keep the refusal: the dispatcher is woken once they are through.
   */
  returnUnused(n: number): void {
    if (this.waiting.length === 0) this.refused = false;
    this.release(n);
  }

  /**
   * Takes up to `wanted` workers, leaving `keep` of them free (the headroom the dispatcher keeps
   * for teams below their fair share); returns how many were granted (0 when none is free, or
   * while a start waits in line).
   */
  reserve(wanted: number, keep = 0): number {
    const usable = this.capacity - Math.max(0, keep);
    const granted =
      this.waiting.length > 0 ? 0 : Math.max(0, Math.min(wanted, this.free - Math.max(0, keep)));
    this.held += granted;
    // Refused: fewer than it could have had with every worker free (the kept ones never count).
    if (granted < Math.min(wanted, usable)) this.refused = true;
    return granted;
  }

  /**
   * One worker for `start`, ahead of any reservation: called at once when one is free and nobody
   * is in line, else when one comes back (in order of arrival). `start` owns the worker (it gives
   * it back with `release` when its task ends, or at once if it does not start one).
   */
  acquire(start: () => void): void {
    this.waiting.push(start);
    this.drain();
    // Waited: the dispatcher, not woken by the tasks that ended meanwhile, is once the line is
    // through and a worker is free.
    if (this.waiting.length > 0) this.refused = true;
  }

  /**
   * Gives back `n` workers (a task ended, or a reservation was not used); `wake` false: without
   * calling `onFreed` (the refused one gives them back itself).
   */
  release(n = 1, wake = true): void {
    if (n <= 0) return;
    if (n > this.held) throw new Error(`released ${n} workers, but only ${this.held} are held`);
    this.held -= n;
    this.drain();
    if (this.refused && wake && this.waiting.length === 0 && this.free > 0) {
      this.refused = false;
      this.onFreed();
    }
  }

  /** Hands free workers to the line; not re-entered by a start that releases at once. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0 && this.free > 0) {
        this.held++;
        this.waiting.shift()!();
      }
    } finally {
      this.draining = false;
    }
  }
}
