/**
 * Starts in flight in this process for a team below its fair share (issue 12, item 4): a trigger's
 * headroom transaction (insertRunsInHeadroom). The dispatcher and the result flush give way to
 * them at each of their round trips (`giveWay`): under another team's flood both are always in
 * flight, and each answer of theirs is a stretch of this process's event loop (parsing, deciding,
 * building the next statement) and of PostgreSQL's CPU that the light team's answer otherwise
 * queues behind (per-trigger timings under the quick flood: the wait's tail was its answer sitting
 * in the socket behind the flush's decisions, the dispatcher's claim and their garbage).
 *
 * A giving-way waits only for the starts in flight when it asked, never for later ones: a steady
 * stream of light triggers holds the flood one start at a time, never indefinitely. The starts
 * themselves never wait for the dispatcher or the flush: they insert new rows and lock only those
 * (a task that takes pool slots, whose rows a paused transaction may hold, gets no priority), and
 * a start is registered only once it holds its connection.
 */
export class PriorityStarts {
  private readonly inFlight = new Set<Promise<void>>();

  get active(): number {
    return this.inFlight.size;
  }

  /** A start in flight; the function ends it (once). */
  begin(): () => void {
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    this.inFlight.add(done);
    return () => {
      if (this.inFlight.delete(done)) end();
    };
  }

  /** Undefined when none is in flight; else settles when those in flight now have ended. */
  giveWay(): Promise<void> | undefined {
    if (this.inFlight.size === 0) return undefined;
    if (this.inFlight.size === 1) return this.inFlight.values().next().value;
    return Promise.all(this.inFlight).then(() => undefined);
  }
}
