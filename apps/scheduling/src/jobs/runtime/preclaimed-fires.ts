import { mayFireFromMemory, taskKeyOf } from '@trainyard/scheduling-domain';
import { recordStarts, type Fired } from './preclaimed-start-records';
import type { RuntimeContext } from './runtime-context';
import { iso, type Claimed, type PreclaimedRun } from './runtime-records';
import type { PreparedExecution, TaskExecutions } from './task-executions';

/** Runs lost to a takeover are remembered this long (their results are dropped, not recorded). */
const LOST_MEMORY_MS = 10 * 60_000;

/** A pre-claimed run waiting for its start time, prepared to start (see prepare). */
interface Waiting {
  readonly fired: Fired;
  /** One per root task: its start, for WorkerSlots.acquire. */
  readonly starts: (() => void)[];
  /** Starts not yet given a worker. */
  pending: number;
}

/**
 * Pre-claimed runs (issue 12, cron fire lag): the runs this instance recorded within the tick's
 * look-ahead with its lease (`preclaim_owner`, `preclaim_until`). At each run's start time its
 * root tasks start from memory, each on a worker taken ahead of any claim (WorkerSlots.acquire),
 * after checking on this instance's own clock that the lease is still valid with the margin; no
 * round trip comes between the start time and the executor. What a start needs but the moment
 * (its claim, its execution's entry and context, its callbacks) is prepared when the tick hands
 * the run over, so at the start time only the check, the worker and the executor call remain
 * (about 500 runs start in the same millisecond per instance in the bench's burst, and the last
 * one waits for all the others). The starts (JobRunStarted,
 * TaskRunStarted, the rows running under this instance's task lease) are recorded right after,
 * in one transaction per burst, and only for runs whose row still names this pre-claim: a run
 * taken over meanwhile (the lease expired elsewhere: this process stalled beyond the margin) has
 * its executions aborted and their results dropped. Results of a run are recorded only after its
 * start (`recordStarts` before every flush).
 */
export class PreclaimedFires {
  private readonly waiting = new Map<string, Waiting>();
  /** The waiting runs by start time (a run dropped meanwhile is no longer in `waiting`). */
  private readonly byTime = new Map<number, Waiting[]>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private unrecorded: Fired[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private immediate = false;
  private readonly lost = new Map<string, number>();
  private readonly dropped = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly executions: TaskExecutions,
  ) {}

  /** Runs to start at their start time (called after the tick's commit). */
  add(runs: readonly PreclaimedRun[]): void {
    if (this.stopped) return;
    for (const run of runs) {
      const w = this.prepare(run);
      this.waiting.set(run.runId, w);
      const at = this.byTime.get(run.notBeforeMs);
      if (at) at.push(w);
      else this.byTime.set(run.notBeforeMs, [w]);
      this.arm(run.notBeforeMs);
    }
  }

  /** The wait until the next start from memory, undefined when none is waiting. */
  nextIn(now: number): number | undefined {
    let next = Infinity;
    for (const at of this.timers.keys()) next = Math.min(next, at);
    return next === Infinity ? undefined : Math.max(0, next - now);
  }

  /** The run's pre-claim is given up (it was cancelled): it is not started from memory. */
  drop(runId: string): void {
    if (this.waiting.delete(runId)) return;
    this.dropped.set(runId, this.ctx.o.clock()); // due, maybe waiting for a worker
  }

  /** The run was taken over while this instance had started it: its results are not recorded. */
  isLost(runId: string): boolean {
    return this.lost.has(runId);
  }

  /** Records the starts not yet recorded (before results are; retried by the next call on error). */
  recordStarts(): Promise<void> {
    if (this.writeQueued) return this.writing;
    this.writeQueued = true;
    this.writing = this.writing.then(
      () => this.write(),
      () => this.write(),
    );
    return this.writing;
  }

  /**
   * Stops starting runs, records what started, and hands the runs not started back: their lease
   * ends now, so another instance's admission starts them at once.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const ids = [...this.waiting.keys()];
    this.waiting.clear();
    this.byTime.clear();
    await this.recordStarts();
    if (ids.length === 0) return;
    const { rowCount } = await this.ctx.pool.query(
      `UPDATE ${this.ctx.t.runs} SET preclaim_until = $3
        WHERE run_id = ANY($1::text[]) AND state = 'scheduled' AND preclaim_owner = $2`,
      [ids, this.ctx.preclaimOwner, iso(this.ctx.o.clock())],
    );
    if ((rowCount ?? 0) > 0) this.ctx.notify(true);
  }

  private arm(at: number): void {
    if (this.timers.has(at)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(at);
        this.fireDue();
      },
      Math.max(0, at - this.ctx.o.clock()),
    );
    this.timers.set(at, timer);
  }

  /** Starts every run whose start time came (a timer may fire a millisecond early: re-armed). */
  private fireDue(): void {
    if (this.stopped) return;
    const now = this.ctx.o.clock();
    const times = [...this.byTime.keys()].filter((at) => at <= now).sort((a, b) => a - b);
    for (const at of times) {
      const runs = this.byTime.get(at)!;
      this.byTime.delete(at);
      for (const w of runs) {
        if (!this.waiting.delete(w.fired.run.runId)) continue; // dropped meanwhile
        w.fired.firedAt = now;
        for (const start of w.starts) this.ctx.workers.acquire(start);
      }
    }
    for (const at of this.byTime.keys()) this.arm(at);
  }

  /**
   * Everything a run's start needs but the moment, made when the tick hands the run over (seconds
   * ahead): each root task's claim, its prepared execution, and its start on a worker.
   */
  private prepare(run: PreclaimedRun): Waiting {
    const manifest = run.job.manifest;
    const w: Waiting = { fired: { run, claimed: [], firedAt: 0 }, starts: [], pending: 0 };
    for (const task of manifest.tasks) {
      if (task.dependsOn.length > 0) continue;
      const taskKey = taskKeyOf(run.runId, task.id);
      const c: Claimed = {
        run: {
          run_id: run.runId,
          job: run.job.name,
          job_version: run.job.version,
          team: manifest.owner,
          nominal_time: new Date(run.nominalMs),
          state: 'running',
          event_version: 1,
          started_at: null, // not read by an execution; recorded by the start's write
          cancelled_by: null,
          environment: this.ctx.o.environment,
        },
        manifest,
        task,
        attempt: 1,
        taskKey,
        holder: `${taskKey}#1`,
        pooled: false,
        fencingTokens: {},
      };
      const prepared = this.executions.prepare(c);
      w.starts.push(() => this.startFromMemory(w, c, prepared));
      w.pending++;
    }
    return w;
  }

  /** One root task of a due run, on the worker it was given (WorkerSlots.acquire). */
  private startFromMemory(w: Waiting, c: Claimed, prepared: PreparedExecution): void {
    const { fired } = w;
    const run = fired.run;
    w.pending--;
    // Checked right before starting, on this instance's clock: a process that stalled (or whose
    // tasks waited this long for a worker) leaves the run to the takeover.
    if (
      this.stopped ||
      !this.waitingOrFiring(run.runId, fired) ||
      !mayFireFromMemory(this.ctx.o.clock(), run.expiresMs, this.ctx.o.preclaimMarginMs)
    ) {
      this.ctx.workers.release(1);
      if (fired.claimed.length === 0 && w.pending === 0 && !this.stopped)
        this.ctx.o.onError(
          new Error(
            `pre-claimed run ${run.runId} (${run.job.name}) not started from memory: its lease would expire within the margin; left to admission`,
          ),
        );
      return;
    }
    if (fired.claimed.length === 0) this.unrecorded.push(fired);
    fired.claimed.push(c);
    this.executions.start(prepared, false);
    this.scheduleWrite();
  }

  /** A run dropped (cancelled) before its first task started is not started. */
  private waitingOrFiring(runId: string, fired: Fired): boolean {
    return !this.dropped.has(runId) || fired.claimed.length > 0;
  }

  /** After the burst (the executions chained on microtasks have started), one write. */
  private scheduleWrite(): void {
    if (this.immediate) return;
    this.immediate = true;
    setImmediate(() => {
      this.immediate = false;
      void this.recordStarts().catch(this.ctx.o.onError);
    });
  }

  private async write(): Promise<void> {
    this.writeQueued = false;
    const fired = this.unrecorded;
    this.unrecorded = [];
    if (fired.length === 0) return;
    const now = this.ctx.o.clock();
    let owned = new Set<string>();
    try {
      owned = await this.ctx.transaction((client) => recordStarts(this.ctx, client, fired, now));
    } catch (error) {
      this.unrecorded = [...fired, ...this.unrecorded];
      throw error;
    }
    for (const f of fired) {
      if (owned.has(f.run.runId)) {
        for (const c of f.claimed) this.executions.recorded(`${f.run.runId}/${c.task.id}`);
        continue;
      }
      // Taken over or cancelled before the start was recorded: the execution is stopped and its
      // result dropped (another instance's attempt 1, if any, is the one recorded).
      this.lost.set(f.run.runId, now);
      for (const c of f.claimed) this.executions.abortLocal(`${f.run.runId}/${c.task.id}:1`);
      this.ctx.o.onError(
        new Error(
          `pre-claimed run ${f.run.runId} (${f.run.job.name}) was started from memory but its pre-claim was gone when recorded (taken over or cancelled); execution aborted`,
        ),
      );
    }
    for (const memory of [this.lost, this.dropped])
      for (const [runId, at] of memory) if (now - at > LOST_MEMORY_MS) memory.delete(runId);
    this.ctx.notify();
  }
}
