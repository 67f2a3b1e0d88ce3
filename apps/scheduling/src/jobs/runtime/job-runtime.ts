import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  decideRunStep,
  taskKeyOf,
  type RunOutcome,
  type RunTasks,
  type TaskChange,
  type TaskRunView,
} from '@trainyard/scheduling-domain';
import { priorityThenAge } from './default-dispatch-policy';
import type { JobRuntimeOptions } from './job-runtime.options';
import { RunEventBatch } from './run-events';
import {
  describe,
  iso,
  QUEUE_BEGIN,
  RETRYABLE,
  runIdOf,
  type Claimed,
  type NewRun,
  type PendingFact,
  type RunningTask,
  type RunRow,
  type TaskRow,
  type TaskWrite,
  type TriggeredRun,
  type TriggerRunRequest,
  UnknownJob,
} from './runtime-records';
import { admitDueRuns } from './admission';
import { insertRuns } from './run-creation';
import { claim, startClaim } from './task-claims';
import { runningWrite, writeTasksAndRuns } from './task-writes';
import { RuntimeContext } from './runtime-context';
import { SchedulerTick } from './scheduler-tick';
import type { Wakeable } from './wakeable';

export { runIdOf, UnknownJob };
export type { NewRun, TriggeredRun, TriggerRunRequest } from './runtime-records';

/** The longest a loop sleeps without a wake-up. */
const MAX_LOOP_SLEEP_MS = 60_000;

/**
 * The job runtime (issue 12, items 3–6): the scheduler tick, admission, the dispatcher and its
 * workers, leases and the reaper, on PostgreSQL shared by any number of instances. Every state
 * change commits with its JobRunEvents (appendInTransaction); the deciders are pure
 * (libs/scheduling/domain/src/jobs/runs). Wake-ups are immediate in-process and by LISTEN/NOTIFY
 * across processes; timers cover retries, start times and leases, never a polling loop alone.
 */
export class JobRuntime {
  private readonly ctx: RuntimeContext;
  private readonly scheduler: SchedulerTick;
  private readonly running = new Map<string, RunningTask>();
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
    this.scheduler = new SchedulerTick(this.ctx, (facts) => this.applyFacts(facts));
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
      this.loops.push(this.runLoop(name, waker, body));
    if (this.ctx.o.scheduler) loop('tick', this.ctx.wakers.tick, () => this.tick());
    loop('admit', this.ctx.wakers.admit, () => this.admit());
    if (this.ctx.o.concurrency > 0) {
      loop('dispatch', this.ctx.wakers.dispatch, () => this.dispatch());
      loop('flush', this.ctx.wakers.flush, () => this.flush());
      const leases = setInterval(
        () =>
          void this.renewLeases().catch((error: unknown) => {
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
    for (const timer of this.timers) if (timer !== this.leaseTimer) clearInterval(timer);
    const deadline = this.ctx.o.clock() + graceMs;
    while (this.running.size > 0 && this.ctx.o.clock() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    for (const task of this.running.values()) task.abort.abort(new Error('runtime stopping'));
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const w of Object.values(this.ctx.wakers)) w.close();
    await Promise.allSettled(this.loops);
    if (this.facts.length > 0) await this.flush().catch(this.ctx.o.onError);
    await this.listener?.end().catch(() => undefined);
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
    const created = await this.ctx.transaction((client) => insertRuns(this.ctx, client, runs, now));
    this.ctx.readyMaybe = true;
    this.ctx.afterCommit({ ready: true, admit: this.ctx.takeAdmissionDue() });
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
    const applied = await this.applyFacts([{ runId, fact: { type: 'CancelRun', by } }]);
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
    if (this.draining) return undefined;
    // Results of tasks with dependents waiting to be recorded: their flush starts the dependents
    // (hand-off) and claims with the free workers in its own transaction; a claim beside it would
    // hold the workers its hand-off needs (a chain's next task would wait for another claim). It
    // wakes us when done. Results without dependents are recorded beside our claims.
    if (this.flushing || (!this.flushFailed && this.facts.some((f) => f.handsOff))) {
      this.dispatchDeferred = true;
      return undefined;
    }
    const free = this.ctx.workers.reserve(this.ctx.o.concurrency);
    if (free === 0) return undefined; // a finishing task (or an unused reservation) wakes us
    const now = this.ctx.o.clock();
    let claimed: Claimed[] = [];
    try {
      claimed = await this.ctx.transaction(
        (client) => claim(this.ctx, client, free, now),
        QUEUE_BEGIN,
      );
    } finally {
      this.ctx.workers.release(free - claimed.length);
    }
    for (const c of claimed) this.execute(c);
    if (claimed.length > 0) this.ctx.notify();
    if (claimed.length >= free) return undefined;
    if (claimed.length > 0) return 0;
    // Nothing claimable now: sleep until the earliest retry (woken earlier by any commit).
    const { rows } = await this.ctx.pool.query<{ next: Date | null }>(
      `SELECT min(not_before) AS next FROM ${this.ctx.t.tasks} WHERE status = 'ready'`,
    );
    const next = rows[0]?.next?.getTime();
    const now2 = this.ctx.o.clock();
    // Ready now but not claimed (locked by another instance, or waiting for a pool slot): a
    // commit anywhere wakes us (NOTIFY), the idle check is only the fallback.
    return next === undefined || next <= now2 ? this.ctx.o.idleMs : next - now2;
  }

  private execute(c: Claimed): void {
    const abort = new AbortController();
    const entry: RunningTask = {
      runId: c.run.run_id,
      taskId: c.task.id,
      attempt: c.attempt,
      holder: c.holder,
      pooled: c.pooled,
      abort,
      lastHeartbeat: this.ctx.o.clock(),
      settled: false,
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
          signal: abort.signal,
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
  private settle(
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
    if (this.stopped && entry.abort.signal.aborted) return;
    this.facts.push({
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
    this.ctx.wakers.dispatch.wake();
  }

  /** Records every buffered result in one transaction. */
  async flush(): Promise<number | undefined> {
    if (this.facts.length === 0) return undefined;
    const facts = this.facts;
    this.facts = [];
    this.flushing = facts.some((f) => f.handsOff);
    try {
      await this.applyFacts(facts);
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

  /**
   * The decider applied to facts, for many runs in one transaction: runs locked in id order,
   * their tasks read, each fact decided in turn, rows updated, events appended. Returns the number
   * of task changes.
   */
  private async applyFacts(facts: readonly PendingFact[]): Promise<number> {
    const now = this.ctx.o.clock();
    let aborts: string[] = [];
    let handoff: Claimed[] = [];
    let leftReady = false;
    // Workers this flush reserved (hand-off and further claims); what it did not start goes back.
    let held = 0;
    const reserve = (wanted: number): number => {
      const granted = this.draining ? 0 : this.ctx.workers.reserve(wanted);
      held += granted;
      return granted;
    };
    let changed: number;
    try {
      changed = await this.ctx.transaction(async (client) => {
        aborts = [];
        handoff = [];
        this.ctx.workers.release(held); // a retried transaction starts over
        held = 0;
        const releases: string[] = [];
        const runIds = [...new Set(facts.map((f) => f.runId))].sort();
        // The runs locked in id order (one writer per stream) first, then their rows read by a
        // second statement: under READ COMMITTED a statement that waited for a lock re-reads only
        // the locked rows, so task rows joined to them would be the state from before the wait.
        await client.query(
          this.ctx.named(
            'lockruns',
            `SELECT run_id FROM ${this.ctx.t.runs} WHERE run_id = ANY($1::text[]) ORDER BY run_id FOR UPDATE`,
            [runIds],
          ),
        );
        const { rows } = await client.query<
          RunRow & TaskRow & { environment: string; status: TaskRunView['status'] }
        >(
          this.ctx.named(
            'readruns',
            `SELECT r.run_id, r.job, r.job_version, r.team, r.nominal_time, r.state, r.event_version,
                r.started_at AS run_started_at, r.cancelled_by, r.environment,
                t.task_id, t.status, t.attempt, t.outcome, t.handled, t.started_at, t.lease_expires_at
           FROM ${this.ctx.t.runs} r JOIN ${this.ctx.t.tasks} t ON t.run_id = r.run_id
          WHERE r.run_id = ANY($1::text[])`,
            [runIds],
          ),
        );
        const tasksBy = new Map<string, Record<string, TaskRunView>>();
        const rowBy = new Map<string, TaskRow>();
        const runBy = new Map<string, RunRow & { environment: string }>();
        for (const row of rows) {
          if (!runBy.has(row.run_id))
            runBy.set(row.run_id, {
              ...row,
              started_at: (row as unknown as { run_started_at: Date | null }).run_started_at,
            });
          let map = tasksBy.get(row.run_id);
          if (!map) tasksBy.set(row.run_id, (map = {}));
          map[row.task_id] = {
            status: row.status,
            attempt: row.attempt,
            ...(row.outcome ? { outcome: row.outcome } : {}),
            ...(row.handled ? { handled: true } : {}),
          };
          rowBy.set(`${row.run_id}/${row.task_id}`, row);
        }
        const batch = new RunEventBatch();
        const finalChange = new Map<string, { runId: string; change: TaskChange }>();
        const runEnds = new Map<string, { outcome: RunOutcome; cancelledBy?: string }>();
        await this.ctx.manifests.load(runBy.values());
        for (const f of facts) {
          const run = runBy.get(f.runId);
          if (!run || (run.state !== 'running' && run.state !== 'scheduled')) continue;
          const tasks: RunTasks = tasksBy.get(f.runId) ?? {};
          if (f.leaseExpiredBefore !== undefined && f.fact.type === 'TaskAttemptFinished') {
            const row = rowBy.get(`${f.runId}/${f.fact.taskId}`);
            if (!row?.lease_expires_at || row.lease_expires_at.getTime() >= f.leaseExpiredBefore)
              continue;
          }
          const manifest = await this.ctx.manifests.of(run.job, run.job_version);
          const step = decideRunStep(manifest, tasks, f.fact, {
            now: iso(now),
            random: this.ctx.o.random,
          });
          if (step.changes.length === 0) continue;
          const ref = this.ctx.rowRef(run);
          const next: Record<string, TaskRunView> = { ...tasks };
          for (const c of step.changes) {
            const key = `${f.runId}/${c.taskId}`;
            finalChange.set(key, { runId: f.runId, change: c });
            if (c.kind === 'ready') {
              next[c.taskId] = { status: 'ready', attempt: c.attempt };
              continue;
            }
            const row = rowBy.get(key);
            const wasRunning = tasks[c.taskId]?.status === 'running';
            const task = manifest.tasks.find((t) => t.id === c.taskId);
            if (wasRunning && task?.pools?.length) releases.push(`${key}#${c.attempt}`);
            if (c.kind === 'finished' && c.abort) aborts.push(`${key}:${c.attempt}`);
            const startedAt = wasRunning && row?.started_at ? row.started_at : undefined;
            batch.add(
              f.runId,
              {
                type: 'TaskRunFinished',
                data: {
                  ...ref,
                  taskId: c.taskId,
                  attempt: c.attempt,
                  taskKey: taskKeyOf(f.runId, c.taskId),
                  outcome: c.outcome,
                  finishedAt: iso(now),
                  ...(startedAt
                    ? { startedAt: startedAt.toISOString(), durationMs: now - startedAt.getTime() }
                    : {}),
                  ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
                  ...(c.httpStatus === undefined ? {} : { httpStatus: c.httpStatus }),
                  ...(c.detail === undefined ? {} : { detail: c.detail }),
                },
              },
              this.ctx.actor(),
            );
            if (c.kind === 'retry') {
              batch.add(
                f.runId,
                {
                  type: 'TaskRetryScheduled',
                  data: {
                    ...ref,
                    taskId: c.taskId,
                    attempt: c.attempt,
                    taskKey: taskKeyOf(f.runId, c.taskId),
                    nextAttempt: c.nextAttempt,
                    retryAt: c.retryAt,
                    delayMs: c.delayMs,
                  },
                },
                this.ctx.actor(),
              );
              next[c.taskId] = { status: 'ready', attempt: c.nextAttempt };
            } else
              next[c.taskId] = {
                status: 'done',
                attempt: c.attempt,
                outcome: c.outcome,
                ...(c.handled ? { handled: true } : {}),
              };
          }
          tasksBy.set(f.runId, next);
          if (step.runOutcome) {
            const cancelledBy = f.fact.type === 'CancelRun' ? f.fact.by : undefined;
            runEnds.set(f.runId, {
              outcome: step.runOutcome,
              ...(cancelledBy ? { cancelledBy } : {}),
            });
            const startedAt = run.started_at?.getTime() ?? now;
            batch.add(
              f.runId,
              {
                type: 'JobRunFinished',
                data: {
                  ...ref,
                  outcome: step.runOutcome,
                  startedAt: iso(startedAt),
                  finishedAt: iso(now),
                  durationMs: now - startedAt,
                  tasks: Object.fromEntries(
                    Object.entries(next).map(([id, t]) => [id, t.outcome ?? 'cancelled']),
                  ),
                  ...(cancelledBy ? { cancelledBy } : {}),
                },
              },
              this.ctx.actor(cancelledBy),
            );
            run.state = 'finished';
          }
        }
        if (finalChange.size === 0) return 0;
        // Hand-off: a task this step made ready starts here in the same transaction when this
        // instance has a free worker (no claim round trip between a task and its dependent).
        const writes: TaskWrite[] = [];
        for (const { runId, change: c } of finalChange.values()) {
          const run = runBy.get(runId)!;
          if (
            c.kind === 'ready' &&
            run.state === 'running' &&
            (held > handoff.length || reserve(1) === 1)
          ) {
            const manifest = await this.ctx.manifests.of(run.job, run.job_version);
            const task = manifest.tasks.find((t) => t.id === c.taskId);
            if (task && !task.pools?.length) {
              const claimed = await startClaim(
                this.ctx,
                client,
                run,
                manifest,
                task,
                c.attempt,
                now,
                batch,
              );
              if (claimed) {
                handoff.push(claimed);
                writes.push(runningWrite(this.ctx, claimed, now));
                continue;
              }
            }
          }
          writes.push({
            runId,
            taskId: c.taskId,
            status: c.kind === 'finished' ? 'done' : 'ready',
            attempt: c.kind === 'retry' ? c.nextAttempt : c.attempt,
            outcome: c.kind === 'finished' ? c.outcome : null,
            handled: c.kind === 'finished' && c.handled,
            notBefore: c.kind === 'retry' ? c.retryAt : c.kind === 'ready' ? iso(now) : null,
            exitCode: c.kind !== 'ready' ? (c.exitCode ?? null) : null,
            httpStatus: c.kind !== 'ready' ? (c.httpStatus ?? null) : null,
            detail: c.kind !== 'ready' ? (c.detail ?? null) : null,
            leaseOwner: null,
            leaseExpires: null,
          });
        }
        // Workers still free: claim other runs' ready tasks in this same transaction (one commit
        // records results and starts the next tasks). SKIP LOCKED, and never the runs locked above.
        const free =
          this.ctx.readyMaybe && this.ctx.policy === priorityThenAge
            ? held - handoff.length + reserve(this.ctx.o.concurrency)
            : 0;
        if (free > 0) {
          const { rows: more } = await client.query<
            RunRow & { task_id: string; attempt: number; environment: string }
          >(
            this.ctx.named(
              'claimmore',
              `SELECT t.run_id, t.task_id, t.attempt, r.job, r.job_version, r.team, r.nominal_time,
                  r.state, r.event_version, r.started_at, r.cancelled_by, r.environment
             FROM ${this.ctx.t.tasks} t JOIN ${this.ctx.t.runs} r ON r.run_id = t.run_id
            WHERE t.status = 'ready' AND t.not_before <= $1 AND t.run_id <> ALL($3::text[])
            ORDER BY t.priority DESC, t.ready_since LIMIT $2 FOR UPDATE OF t, r SKIP LOCKED`,
              [iso(now), free, runIds],
            ),
          );
          this.ctx.readyMaybe = more.length >= free;
          await this.ctx.manifests.load(more);
          for (const row of more) {
            if (!runBy.has(row.run_id)) runBy.set(row.run_id, row);
            const run = runBy.get(row.run_id)!;
            if (run.state !== 'running') continue;
            const manifest = await this.ctx.manifests.of(run.job, run.job_version);
            const task = manifest.tasks.find((t) => t.id === row.task_id);
            if (!task) continue;
            const claimed = await startClaim(
              this.ctx,
              client,
              run,
              manifest,
              task,
              row.attempt,
              now,
              batch,
            );
            if (!claimed) continue;
            handoff.push(claimed);
            writes.push(runningWrite(this.ctx, claimed, now));
          }
        }
        leftReady = releases.length > 0 || writes.some((w) => w.status === 'ready');
        await writeTasksAndRuns(
          this.ctx,
          client,
          writes,
          batch,
          runEnds,
          now,
          (id) => runBy.get(id)!.event_version,
        );
        if (this.ctx.options.poolSlots)
          for (const holder of releases) await this.ctx.options.poolSlots.release(holder, client);
        return finalChange.size;
      }, QUEUE_BEGIN);
    } catch (error) {
      this.ctx.workers.release(held);
      throw error;
    }
    this.ctx.workers.release(held - handoff.length);
    for (const c of handoff) this.execute(c);
    if (changed > 0) {
      for (const a of aborts) this.abortLocal(a);
      if (leftReady) this.ctx.readyMaybe = true;
      this.ctx.afterCommit({ ready: handoff.length < changed, aborts });
    }
    return changed;
  }

  // ---------------------------------------------------------------- leases

  /**
   * Renews the leases of this instance's running tasks (one statement); a task whose executor
   * stopped heartbeating is not renewed and is failed as lost here at once; a task whose lease
   * another instance already reaped is aborted.
   */
  private async renewLeases(): Promise<void> {
    if (this.running.size === 0) return;
    const now = this.ctx.o.clock();
    const alive: RunningTask[] = [];
    for (const entry of this.running.values()) {
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

  /** Tasks whose lease ran out (their worker died or hung): failed as lost, retried per policy. */
  async reap(): Promise<number> {
    const now = this.ctx.o.clock();
    const { rows } = await this.ctx.pool.query<{
      run_id: string;
      task_id: string;
      attempt: number;
      lease_owner: string;
    }>(
      `SELECT run_id, task_id, attempt, lease_owner FROM ${this.ctx.t.tasks}
        WHERE status = 'running' AND lease_expires_at < $1 LIMIT 500`,
      [iso(now)],
    );
    if (rows.length === 0) return 0;
    return this.applyFacts(
      rows.map((r) => ({
        runId: r.run_id,
        leaseExpiredBefore: now,
        fact: {
          type: 'TaskAttemptFinished',
          taskId: r.task_id,
          attempt: r.attempt,
          outcome: 'lost',
          detail: `lease of ${r.lease_owner} expired`,
        },
      })),
    );
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

  private abortLocal(key: string): void {
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
  private dropRunning(key: string): void {
    if (this.running.delete(key)) this.ctx.workers.release(1);
  }

  private async runLoop(
    name: string,
    waker: Wakeable,
    body: () => Promise<number | undefined>,
  ): Promise<void> {
    let backoff = 50;
    while (!this.stopped) {
      let wait: number | undefined;
      try {
        wait = await body();
        backoff = 50;
      } catch (error) {
        if (this.stopped) break;
        this.ctx.o.onError(new Error(`job runtime ${name}: ${describe(error)}`));
        wait = backoff;
        backoff = Math.min(backoff * 2, 2_000);
      }
      if (wait === 0) continue;
      // Bounded: a run buffered or deferred far ahead (not_before in 9999) must not overflow
      // setTimeout (it would fire after 1 ms, a busy loop); a commit wakes the loop earlier anyway.
      await waker.sleep(Math.max(0, Math.min(wait ?? this.ctx.o.idleMs, MAX_LOOP_SLEEP_MS)));
    }
  }

  // ---------------------------------------------------------------- helpers
}
