import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { admitDueRuns } from './admission';
import type { JobRuntimeOptions } from './job-runtime.options';
import { applyFacts, type LocalTasks } from './result-flush';
import { reapExpiredLeases } from './lease-reaper';
import { PreclaimedFires } from './preclaimed-fires';
import { RuntimeContext } from './runtime-context';
import {
  RETRYABLE,
  runIdOf,
  type NewRun,
  type PendingFact,
  type TriggeredRun,
  type TriggerRunRequest,
  UnknownJob,
} from './runtime-records';
import { runLoop } from './runtime-loop';
import { SchedulerTick } from './scheduler-tick';
import { TaskExecutions } from './task-executions';
import type { Wakeable } from './wakeable';
import { dispatchRound, insertRunsInHeadroom, nextReadyIn } from './worker-claims';

export { runIdOf, UnknownJob };
export type { NewRun, TriggeredRun, TriggerRunRequest } from './runtime-records';

/** The dispatcher claims nothing this close to a start from memory (it would hold the workers). */
const FIRE_GUARD_MS = 20;

/**
 * The job runtime (issue 12, items 3–6): the scheduler tick, admission, the dispatcher and its
 * workers, leases and the reaper, on PostgreSQL shared by any number of instances. Every state
 * change commits with its JobRunEvents (appendInTransaction); the deciders are pure
 * (libs/scheduling/domain/src/jobs/runs). Wake-ups are immediate in-process and by LISTEN/NOTIFY
 * across processes; timers cover retries, start times and leases, never a polling loop alone.
 */
export class JobRuntime {
  private readonly ctx: RuntimeContext;
  private readonly executions: TaskExecutions;
  private readonly scheduler: SchedulerTick;
  /** Runs this instance pre-claimed: started from memory at their start time. */
  private readonly fires: PreclaimedFires;
  /** What the result flush calls back for this instance's executions. */
  private readonly local: LocalTasks = {
    draining: () => this.draining,
    execute: (c) => this.executions.execute(c),
    abortLocal: (key) => this.abortLocal(key),
  };
  private facts: PendingFact[] = [];
  private listener?: Client;
  private stopped = false;
  private draining = false;
  private leaseTimer?: NodeJS.Timeout;
  private started = false;
  private readonly loops: Promise<void>[] = [];
  /** A flush is recording results that may hand off (the dispatcher leaves claims to it). */
  private flushing = false;
  private flushFailed = false;
  private dispatchDeferred = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: JobRuntimeOptions) {
    this.ctx = new RuntimeContext(options);
    this.executions = new TaskExecutions(
      this.ctx,
      () => this.stopped,
      (fact) => this.facts.push(fact),
    );
    this.fires = new PreclaimedFires(this.ctx, this.executions);
    this.scheduler = new SchedulerTick(
      this.ctx,
      (facts) => applyFacts(this.ctx, this.local, facts),
      (runs) => this.fires.add(runs),
    );
  }

  get instanceId(): string {
    return this.ctx.o.instanceId;
  }

  /** Opens the LISTEN connection and starts the loops. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.listen();
    const loop = (name: string, waker: Wakeable, body: () => Promise<number | undefined>) =>
      this.loops.push(runLoop(this.ctx, name, waker, body, () => this.stopped));
    if (this.ctx.o.scheduler) loop('tick', this.ctx.wakers.tick, () => this.tick());
    loop('admit', this.ctx.wakers.admit, () => this.admit());
    if (this.ctx.o.concurrency > 0) {
      loop('dispatch', this.ctx.wakers.dispatch, () => this.dispatch());
      loop('flush', this.ctx.wakers.flush, () => this.flush());
      const leases = setInterval(
        () =>
          void this.executions.renewLeases().catch((error: unknown) => {
            // A deadlock with a result being recorded: the next renewal (a third of the lease
            // later) renews again; anything else is reported.
            if (!RETRYABLE.has((error as { code?: string }).code ?? '')) this.ctx.o.onError(error);
          }),
        Math.max(50, Math.floor(this.ctx.o.leaseMs / 3)),
      );
      this.timers.add(leases);
      this.leaseTimer = leases;
    }
    const reaper = setInterval(
      () => void this.reap().catch(this.ctx.o.onError),
      Math.max(100, Math.floor(this.ctx.o.leaseMs / 2)),
    );
    this.timers.add(reaper);
  }

  /**
   * Stops claiming and ticking; lets the executions in flight finish (or aborts them after
   * `graceMs`) and records their results.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.draining = true;
    // Runs pre-claimed but not started are handed back (their lease ends now).
    await this.fires.stop().catch(this.ctx.o.onError);
    for (const timer of this.timers) if (timer !== this.leaseTimer) clearInterval(timer);
    const deadline = this.ctx.o.clock() + graceMs;
    while (this.executions.running.size > 0 && this.ctx.o.clock() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    for (const task of this.executions.running.values())
      task.abort.abort(new Error('runtime stopping'));
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const w of Object.values(this.ctx.wakers)) w.close();
    await Promise.allSettled(this.loops);
    await this.fires.recordStarts().catch(this.ctx.o.onError);
    if (this.facts.length > 0) await this.flush().catch(this.ctx.o.onError);
    await this.listener?.end().catch(() => undefined);
    await this.ctx.close().catch(this.ctx.o.onError);
  }

  // ---------------------------------------------------------------- requests

  /** A manual run (trigger 'manual'); an idempotency key makes a repeated request the same run. */
  async triggerRuns(requests: readonly TriggerRunRequest[]): Promise<TriggeredRun[]> {
    const now = this.ctx.o.clock();
    const runs: NewRun[] = [];
    for (const request of requests) {
      const job = await this.ctx.options.catalog.get(request.job);
      if (!job) throw new UnknownJob(request.job);
      runs.push({
        job,
        nominalMs: now,
        trigger: 'manual',
        idempotencyKey: `${request.job}@manual:${request.idempotencyKey ?? randomUUID()}`,
        requestedBy: request.requestedBy,
      });
    }
    const { created, claimed, tookAll } = await insertRunsInHeadroom(
      this.ctx,
      runs,
      now,
      this.draining,
    );
    for (const c of claimed) this.executions.execute(c);
    this.ctx.readyMaybe = true;
    // Whatever this transaction did not start is the dispatcher's.
    this.ctx.afterCommit({ ready: !tookAll, admit: this.ctx.takeAdmissionDue() });
    return runs.map((r) => {
      const runId = runIdOf(r.idempotencyKey);
      return { runId, created: created.has(runId) };
    });
  }

  async triggerRun(request: TriggerRunRequest): Promise<TriggeredRun> {
    const [run] = await this.triggerRuns([request]);
    return run!;
  }

  /** Cancels a run: unfinished tasks cancelled, running ones aborted wherever they run. */
  async cancelRun(runId: string, by: string): Promise<boolean> {
    const applied = await applyFacts(this.ctx, this.local, [
      { runId, fact: { type: 'CancelRun', by } },
    ]);
    return applied > 0;
  }

  // ---------------------------------------------------------------- scheduler tick

  /** Records the due slots of every scheduled job (see SchedulerTick). */
  async tick(): Promise<number | undefined> {
    if (this.draining) return undefined;
    return this.scheduler.tick();
  }

  // ---------------------------------------------------------------- creating runs

  // ---------------------------------------------------------------- admission

  /** Starts the scheduled runs whose time came (see admitDueRuns). */
  async admit(): Promise<number | undefined> {
    if (this.draining) return undefined;
    return admitDueRuns(this.ctx);
  }

  // ---------------------------------------------------------------- dispatch

  /**
   * Claims as many ready tasks as this instance has free workers in one transaction (FOR UPDATE
   * SKIP LOCKED), takes their pool slots, marks them running under a lease and records
   * TaskRunStarted; then starts them. Returns 0 to go again at once, or the wait until a ready
   * task's retry time.
   */
  async dispatch(): Promise<number | undefined> {
    await this.ctx.priority.giveWay(); // a below-share team's start goes first (PriorityStarts)
    if (this.draining) return undefined;
    // Starts from memory wait for workers: they come first. The refused reservation has the
    // worker that frees up after them wake us.
    if (this.ctx.workers.queued > 0 && this.ctx.workers.reserve(1) === 0) return undefined;
    // Results of tasks with dependents waiting to be recorded: their flush starts the dependents
    // (hand-off) and claims with the free workers in its own transaction; a claim beside it would
    // hold the workers its hand-off needs (a chain's next task would wait for another claim). It
    // wakes us when done. Results without dependents are recorded beside our claims.
    if (this.flushing || (!this.flushFailed && this.facts.some((f) => f.handsOff))) {
      this.dispatchDeferred = true;
      return undefined;
    }
    // Pre-claimed runs about to start from memory: no claim holds workers across their start.
    const fireIn = this.fires.nextIn(this.ctx.o.clock());
    if (fireIn !== undefined && fireIn <= FIRE_GUARD_MS) return fireIn + FIRE_GUARD_MS;
    const round = await dispatchRound(this.ctx, this.ctx.o.clock());
    if (!round) return undefined;
    const { claimed, held } = round;
    for (const c of claimed) this.executions.execute(c);
    if (claimed.length > 0) this.ctx.notify();
    if (claimed.length >= held) return undefined;
    if (claimed.length > 0) return 0;
    // Nothing claimable now: sleep until the earliest retry (woken earlier by any commit).
    return nextReadyIn(this.ctx);
  }

  /** Records every buffered result in one transaction. */
  async flush(): Promise<number | undefined> {
    if (this.facts.length > 0) await this.ctx.priority.giveWay(); // and at each answer (applyFacts)
    if (this.facts.length === 0) return undefined;
    // Starts from memory are recorded before their results; a result of a run taken over from
    // this instance (its start was not recorded) is dropped.
    await this.fires.recordStarts();
    const facts = this.facts.filter((f) => !this.fires.isLost(f.runId));
    this.facts = [];
    if (facts.length === 0) return undefined;
    this.flushing = facts.some((f) => f.handsOff);
    try {
      await applyFacts(this.ctx, this.local, facts);
      this.flushFailed = false;
    } catch (error) {
      this.facts = [...facts, ...this.facts];
      this.flushFailed = true;
      throw error;
    } finally {
      this.flushing = false;
      if (this.dispatchDeferred) {
        this.dispatchDeferred = false;
        this.ctx.wakers.dispatch.wake();
      }
    }
    return this.facts.length > 0 ? 0 : undefined;
  }

  // ---------------------------------------------------------------- leases

  /** Tasks whose lease ran out: failed as lost (see reapExpiredLeases). */
  async reap(): Promise<number> {
    return reapExpiredLeases(this.ctx, this.local);
  }

  // ---------------------------------------------------------------- wake-ups

  private async listen(): Promise<void> {
    const client = new Client(this.ctx.pool.options);
    client.on('error', (error) => this.ctx.o.onError(error));
    client.on('notification', (n) => {
      const payload = n.payload ?? '';
      if (payload.startsWith('abort:'))
        for (const a of payload.slice(6).split(',')) this.abortLocal(a);
      else if (payload.endsWith(`:${this.ctx.o.instanceId}`)) return; // our own commit: woken already
      this.ctx.readyMaybe = true;
      this.ctx.wakers.dispatch.wake();
      // Admission only for runs waiting for it: every other commit would make each instance run
      // an empty admission transaction (a thousand of them in a cron burst).
      if (!payload.startsWith('ready:')) this.ctx.wakers.admit.wake();
    });
    await client.connect();
    await client.query(`LISTEN "${this.ctx.channel}"`);
    this.listener = client;
  }

  // ---------------------------------------------------------------- helpers

  /** Aborts an attempt running here (`<run>/<task>:<attempt>`); a pre-claim of its run is dropped. */
  private abortLocal(key: string): void {
    this.fires.drop(key.slice(0, key.indexOf('/')));
    this.executions.abortLocal(key);
  }
}
