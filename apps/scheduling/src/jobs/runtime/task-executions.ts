import { LazyAbort } from './lazy-abort';
import type { RuntimeContext } from './runtime-context';
import { describe, iso, type Claimed, type PendingFact, type RunningTask } from './runtime-records';

/**
 * The tasks executing on this instance: started with their timeout, their results buffered for the
 * flush, aborted when cancelled or superseded, and their leases renewed while they heartbeat.
 * Each holds one worker slot until it settles, is aborted, or loses its lease.
 */
export class TaskExecutions {
  readonly running = new Map<string, RunningTask>();

  constructor(
    private readonly ctx: RuntimeContext,
    /** The runtime has stopped: a result of an aborted execution is dropped. */
    private readonly isStopped: () => boolean,
    /** Buffers a result for the next flush. */
    private readonly record: (fact: PendingFact) => void,
  ) {}

  /** Starts `c` on the worker its caller holds; `recorded` false for a start not yet written. */
  execute(c: Claimed, recorded = true): void {
    const abort = new LazyAbort();
    const entry: RunningTask = {
      runId: c.run.run_id,
      taskId: c.task.id,
      attempt: c.attempt,
      holder: c.holder,
      pooled: c.pooled,
      abort,
      lastHeartbeat: this.ctx.o.clock(),
      settled: false,
      recorded,
      hasDependents: c.manifest.tasks.some((t) => t.dependsOn.includes(c.task.id)),
      ...(c.task.heartbeatSeconds ? { heartbeatMs: c.task.heartbeatSeconds * 1000 } : {}),
    };
    const key = `${entry.runId}/${entry.taskId}`;
    const superseded = this.running.get(key);
    if (superseded) {
      // An earlier attempt still running here lost its lease (another instance reaped it) before
      // the renewal noticed: it stops, and gives back its worker now (its result is ignored).
      superseded.settled = true;
      clearTimeout(superseded.timer);
      superseded.abort.abort(new Error('lease lost'));
      this.dropRunning(key);
    }
    this.running.set(key, entry);
    const timeoutMs = c.task.timeoutSeconds * 1000;
    entry.timer = setTimeout(() => {
      abort.abort(new Error(`timed out after ${c.task.timeoutSeconds}s`));
      this.settle(entry, {
        outcome: 'timed-out',
        detail: `no result within ${c.task.timeoutSeconds}s`,
      });
    }, timeoutMs);
    const parameters = c.manifest.environments[this.ctx.o.environment] ?? {};
    let result: Promise<unknown>;
    try {
      result = this.ctx.options.executor
        .execute(c.task.executor, {
          runId: c.run.run_id,
          job: c.run.job,
          taskId: c.task.id,
          attempt: c.attempt,
          taskKey: c.taskKey,
          environment: this.ctx.o.environment,
          parameters,
          fencingTokens: c.fencingTokens,
          timeoutMs,
          // Read only by an executor that listens for aborts (see LazyAbort).
          get signal() {
            return abort.signal;
          },
          heartbeat: () => {
            entry.lastHeartbeat = this.ctx.o.clock();
          },
        })
        .then(
          (r) => this.settle(entry, r),
          (error: unknown) => this.settle(entry, { outcome: 'failed', detail: describe(error) }),
        );
    } catch (error) {
      this.settle(entry, { outcome: 'failed', detail: describe(error) });
      result = Promise.resolve();
    }
    void result;
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
    clearTimeout(entry.timer);
    this.dropRunning(`${entry.runId}/${entry.taskId}`);
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
    this.ctx.wakers.flush.wake();
    // Its worker went to a start from memory waiting in line: nothing for the dispatcher to
    // claim with it (the line, once empty, wakes the dispatcher: WorkerSlots).
    if (this.ctx.workers.queued === 0) this.ctx.wakers.dispatch.wake();
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
    clearTimeout(entry.timer);
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
      if (!renewed.has(`${entry.runId}/${entry.taskId}`) && !entry.settled) {
        // Reaped or cancelled elsewhere: its result would be stale; stop the work.
        entry.settled = true;
        clearTimeout(entry.timer);
        this.dropRunning(`${entry.runId}/${entry.taskId}`);
        entry.abort.abort(new Error('lease lost'));
        this.ctx.wakers.dispatch.wake();
      }
    if (this.ctx.options.poolSlots)
      for (const entry of alive)
        if (entry.pooled && renewed.has(`${entry.runId}/${entry.taskId}`))
          await this.ctx.options.poolSlots.renew(entry.holder, this.ctx.o.leaseMs);
  }
}
