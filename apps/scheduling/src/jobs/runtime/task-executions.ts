import type { JobTask } from '@trainyard/scheduling-domain';
import type { TaskExecution, TaskExecutionResult } from '../runtime-ports';
import { DeadlineWheel } from './deadline-wheel';
import { LazyAbort } from './lazy-abort';
import type { RuntimeContext } from './runtime-context';
import { describe, iso, type Claimed, type PendingFact, type RunningTask } from './runtime-records';

/** A task times out at most this long after its timeout (the deadlines share timers). */
const TIMEOUT_RESOLUTION_MS = 100;

/** An execution made ready to start (TaskExecutions.prepare). */
export interface PreparedExecution {
  readonly entry: RunningTask;
  readonly executor: JobTask['executor'];
  readonly execution: TaskExecution;
  readonly settled: (r: TaskExecutionResult) => void;
  readonly failed: (error: unknown) => void;
}

/**
 * The tasks executing on this instance: started with their timeout, their results buffered for the
 * flush, aborted when cancelled or superseded, and their leases renewed while they heartbeat.
 * Each holds one worker slot until it settles, is aborted, or loses its lease.
 */
export class TaskExecutions {
  readonly running = new Map<string, RunningTask>();
  /** The running tasks' timeouts, on a few shared timers. */
  private readonly deadlines = new DeadlineWheel<RunningTask>(TIMEOUT_RESOLUTION_MS, (entry) => {
    entry.abort.abort(new Error(`timed out after ${entry.timeoutSeconds}s`));
    this.settle(entry, {
      outcome: 'timed-out',
      detail: `no result within ${entry.timeoutSeconds}s`,
    });
  });
  private flushWaking = false;

  constructor(
    private readonly ctx: RuntimeContext,
    /** The runtime has stopped: a result of an aborted execution is dropped. */
    private readonly isStopped: () => boolean,
    /** Buffers a result for the next flush. */
    private readonly record: (fact: PendingFact) => void,
  ) {}

  /** Starts `c` on the worker its caller holds; `recorded` false for a start not yet written. */
  execute(c: Claimed, recorded = true): void {
    this.start(this.prepare(c), recorded);
  }

  /**
   * What starting `c` takes that does not depend on the moment of the start: its entry, its key,
   * what the executor is handed, the callbacks of its result. A start from memory prepares this
   * when the tick hands its run over, seconds ahead, so only `start` remains at the start time.
   */
  prepare(c: Claimed): PreparedExecution {
    const abort = new LazyAbort();
    const entry: RunningTask = {
      runId: c.run.run_id,
      taskId: c.task.id,
      key: `${c.run.run_id}/${c.task.id}`,
      attempt: c.attempt,
      holder: c.holder,
      pooled: c.pooled,
      abort,
      lastHeartbeat: 0,
      settled: false,
      recorded: true,
      hasDependents: c.manifest.tasks.some((t) => t.dependsOn.includes(c.task.id)),
      timeoutSeconds: c.task.timeoutSeconds,
      deadline: 0,
      ...(c.task.heartbeatSeconds ? { heartbeatMs: c.task.heartbeatSeconds * 1000 } : {}),
    };
    return {
      entry,
      executor: c.task.executor,
      execution: {
        runId: c.run.run_id,
        job: c.run.job,
        taskId: c.task.id,
        attempt: c.attempt,
        taskKey: c.taskKey,
        environment: this.ctx.o.environment,
        parameters: c.manifest.environments[this.ctx.o.environment] ?? {},
        fencingTokens: c.fencingTokens,
        timeoutMs: c.task.timeoutSeconds * 1000,
        // Read only by an executor that listens for aborts (see LazyAbort).
        get signal() {
          return abort.signal;
        },
        heartbeat: () => {
          entry.lastHeartbeat = this.ctx.o.clock();
        },
      },
      settled: (r) => this.settle(entry, r),
      failed: (error) => this.settle(entry, { outcome: 'failed', detail: describe(error) }),
    };
  }

  /** Starts a prepared execution (once) on the worker its caller holds. */
  start(p: PreparedExecution, recorded = true): void {
    const { entry } = p;
    const key = entry.key;
    entry.lastHeartbeat = this.ctx.o.clock();
    entry.recorded = recorded;
    const superseded = this.running.get(key);
    if (superseded) {
      // An earlier attempt still running here lost its lease (another instance reaped it) before
      // the renewal noticed: it stops, and gives back its worker now (its result is ignored).
      superseded.settled = true;
      this.deadlines.remove(superseded, superseded.deadline);
      superseded.abort.abort(new Error('lease lost'));
      this.dropRunning(key);
    }
    this.running.set(key, entry);
    entry.deadline = this.deadlines.add(entry, p.execution.timeoutMs);
    try {
      void this.ctx.options.executor.execute(p.executor, p.execution).then(p.settled, p.failed);
    } catch (error) {
      p.failed(error);
    }
  }

  /** The attempt's result (once): buffered for the next flush, its worker freed at once. */
  settle(
    entry: RunningTask,
    r: {
      outcome: 'succeeded' | 'failed' | 'timed-out' | 'lost';
      exitCode?: number;
      httpStatus?: number;
      detail?: string;
    },
  ): void {
    if (entry.settled) return;
    entry.settled = true;
    this.deadlines.remove(entry, entry.deadline);
    this.dropRunning(entry.key);
    if (this.isStopped() && entry.abort.aborted) return;
    this.record({
      runId: entry.runId,
      ...(entry.hasDependents ? { handsOff: true } : {}),
      fact: {
        type: 'TaskAttemptFinished',
        taskId: entry.taskId,
        attempt: entry.attempt,
        outcome: r.outcome,
        ...(r.exitCode === undefined ? {} : { exitCode: r.exitCode }),
        ...(r.httpStatus === undefined ? {} : { httpStatus: r.httpStatus }),
        ...(r.detail === undefined ? {} : { detail: r.detail.slice(0, 500) }),
      },
    });
    // Its worker went to a start from memory waiting in line: nothing for the dispatcher to
    // claim with it (the line, once empty, wakes the dispatcher: WorkerSlots). Nor is the flush
    // woken in the middle of the line: a burst of starts runs as one chain of microtasks (a
    // settled execution hands its worker to the next start), and a flush woken in it would run
    // between the starts; it runs once the chain is through.
    if (this.ctx.workers.queued > 0) return this.wakeFlushAfterBurst();
    this.ctx.wakers.flush.wake();
    this.ctx.wakers.dispatch.wake();
  }

  private wakeFlushAfterBurst(): void {
    if (this.flushWaking) return;
    this.flushWaking = true;
    setImmediate(() => {
      this.flushWaking = false;
      this.ctx.wakers.flush.wake();
    });
  }

  /** A task started from memory had its start recorded: its lease is renewed from now on. */
  recorded(key: string): void {
    const entry = this.running.get(key);
    if (entry) entry.recorded = true;
  }

  abortLocal(key: string): void {
    const [task, attempt] = key.split(':');
    const entry = this.running.get(task ?? '');
    if (!entry || String(entry.attempt) !== attempt) return;
    entry.settled = true;
    this.deadlines.remove(entry, entry.deadline);
    this.dropRunning(task!);
    entry.abort.abort(new Error('cancelled'));
    this.ctx.wakers.dispatch.wake();
  }

  /** A task's execution ended here (settled, aborted, lease lost): its worker is free again. */
  dropRunning(key: string): void {
    if (this.running.delete(key)) this.ctx.workers.release(1);
  }

  /**
   * Renews the leases of this instance's running tasks (one statement); a task whose executor
   * stopped heartbeating is not renewed and is failed as lost here at once; a task whose lease
   * another instance already reaped is aborted.
   */
  async renewLeases(): Promise<void> {
    if (this.running.size === 0) return;
    const now = this.ctx.o.clock();
    const alive: RunningTask[] = [];
    for (const entry of this.running.values()) {
      if (!entry.recorded) continue;
      if (entry.heartbeatMs !== undefined && now - entry.lastHeartbeat > entry.heartbeatMs) {
        entry.abort.abort(new Error('heartbeat lost'));
        this.settle(entry, {
          outcome: 'lost',
          detail: `no heartbeat for ${Math.round((now - entry.lastHeartbeat) / 1000)}s`,
        });
      } else alive.push(entry);
    }
    if (alive.length === 0) return;
    const { rows } = await this.ctx.pool.query<{ run_id: string; task_id: string }>(
      `UPDATE ${this.ctx.t.tasks} t SET lease_expires_at = $4, heartbeat_at = $5
         FROM unnest($1::text[], $2::text[], $3::int[]) AS u(run_id, task_id, attempt)
        WHERE t.run_id = u.run_id AND t.task_id = u.task_id AND t.attempt = u.attempt
          AND t.status = 'running' AND t.lease_owner = $6
       RETURNING t.run_id, t.task_id`,
      [
        alive.map((e) => e.runId),
        alive.map((e) => e.taskId),
        alive.map((e) => e.attempt),
        iso(now + this.ctx.o.leaseMs),
        iso(now),
        this.ctx.o.instanceId,
      ],
    );
    const renewed = new Set(rows.map((r) => `${r.run_id}/${r.task_id}`));
    for (const entry of alive)
      if (!renewed.has(entry.key) && !entry.settled) {
        // Reaped or cancelled elsewhere: its result would be stale; stop the work.
        entry.settled = true;
        this.deadlines.remove(entry, entry.deadline);
        this.dropRunning(entry.key);
        entry.abort.abort(new Error('lease lost'));
        this.ctx.wakers.dispatch.wake();
      }
    if (this.ctx.options.poolSlots)
      for (const entry of alive)
        if (entry.pooled && renewed.has(entry.key))
          await this.ctx.options.poolSlots.renew(entry.holder, this.ctx.o.leaseMs);
  }
}
