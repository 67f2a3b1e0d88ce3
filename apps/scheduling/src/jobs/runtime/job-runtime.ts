import { randomUUID } from 'node:crypto';
import { Client, type PoolClient } from 'pg';
import { appendInTransaction, appendStatement } from '@trainyard/event-store';
import {
  buffersToStart,
  decideDueRun,
  decideRunStep,
  dueSlots,
  MAX_SLOTS_PER_TICK,
  slotIdempotencyKey,
  slotVerdict,
  taskKeyOf,
  type DispatchCandidate,
  type JobManifest,
  type JobTask,
  type OverlapRun,
  type RunOutcome,
  type RunTasks,
  type TaskChange,
  type TaskRunView,
} from '@trainyard/scheduling-domain';
import type { RunningJob } from '../runtime-ports';
import { priorityThenAge } from './default-dispatch-policy';
import type { JobRuntimeOptions } from './job-runtime.options';
import { RunEventBatch, jobRunStream } from './run-events';
import {
  BUFFERED,
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
import { insertClosedRuns, insertRuns } from './run-creation';
import { RuntimeContext } from './runtime-context';
import type { Wakeable } from './wakeable';

export { runIdOf, UnknownJob };
export type { NewRun, TriggeredRun, TriggerRunRequest } from './runtime-records';

/** Every job's mark is checked this often (between, only jobs with a slot since the last tick). */
const SWEEP_MS = 5_000;
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
  private readonly knownMarks = new Set<string>();
  private readonly running = new Map<string, RunningTask>();
  private facts: PendingFact[] = [];
  private catalog?: { at: number; jobs: RunningJob[] };
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
  /** The tick has covered slots up to here (its last `now` plus the lookahead). */
  private tickedUntil = 0;
  private lastSweep = -Infinity;

  constructor(options: JobRuntimeOptions) {
    this.ctx = new RuntimeContext(options);
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

  /**
   * Inserts every due slot of every scheduled job since its high-water mark: on time, catch-up, or
   * missed (JobRunMissed); the overlap decider may skip (JobRunSkipped). Marks are locked SKIP
   * LOCKED, so concurrent instances split the jobs; the slot key makes a double fire impossible.
   * Returns how long until the next slot.
   */
  async tick(): Promise<number | undefined> {
    if (this.draining) return undefined;
    const now = this.ctx.o.clock();
    const until = now + this.ctx.o.lookaheadMs;
    const jobs = (await this.scheduledJobs(now)).filter((j) => j.manifest.schedule);
    if (jobs.length === 0) return this.ctx.o.idleMs;
    // Only the jobs with a slot since this instance's last tick lock and move their marks; a full
    // sweep (the first tick, then every SWEEP_MS) takes every job whose mark is behind, for slots
    // a tick of another instance left behind (it died mid-tick) or a downtime.
    const sweep = now - this.lastSweep >= SWEEP_MS;
    // Jobs that buffer runs are ticked every time: the tick promotes a buffered run once an
    // active one has ended.
    const dueJobs = sweep
      ? jobs
      : jobs.filter(
          (j) =>
            j.manifest.concurrency?.overlap.startsWith('buffer') === true ||
            dueSlots(j.manifest.schedule!, this.tickedUntil, until, 1).length > 0,
        );
    const byName = new Map(dueJobs.map((j) => [j.name, j]));
    const fresh = jobs.filter((j) => !this.knownMarks.has(j.name)).map((j) => j.name);
    if (fresh.length > 0) {
      await this.ctx.pool.query(
        `INSERT INTO ${this.ctx.t.marks} (job, high_water) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
        [fresh, iso(now)],
      );
      for (const name of fresh) this.knownMarks.add(name);
    }
    let cancelOlder: string[] = [];
    const inserted = await this.ctx.transaction(async (client) => {
      cancelOlder = [];
      const { rows: marks } = await client.query<{ job: string; high_water: Date }>(
        `SELECT job, high_water FROM ${this.ctx.t.marks} WHERE job = ANY($1::text[]) AND high_water < $2
          ORDER BY job FOR UPDATE SKIP LOCKED`,
        [[...byName.keys()], iso(until)],
      );
      if (marks.length === 0) return 0;
      // The runs of these jobs in flight: active (running, or waiting to start) and buffered by
      // the overlap policy (waiting for an active run to end), for decideDueRun.
      const { rows: inFlight } = await client.query<{
        job: string;
        run_id: string;
        nominal_time: Date;
        buffered: boolean;
      }>(
        `SELECT job, run_id, nominal_time,
                (state = 'scheduled' AND deferred_reason IS NOT DISTINCT FROM '${BUFFERED}') AS buffered
           FROM ${this.ctx.t.runs}
          WHERE job = ANY($1::text[]) AND state IN ('scheduled', 'running')`,
        [marks.map((m) => m.job)],
      );
      const flightBy = new Map<string, { active: OverlapRun[]; buffered: OverlapRun[] }>();
      for (const r of inFlight) {
        const f = flightBy.get(r.job) ?? { active: [], buffered: [] };
        (r.buffered ? f.buffered : f.active).push({
          runId: r.run_id,
          nominalTime: r.nominal_time.toISOString(),
        });
        flightBy.set(r.job, f);
      }
      const promote: string[] = [];
      const cancels: string[] = [];
      const fire: NewRun[] = [];
      const other: { run: NewRun; kind: 'skipped' | 'missed'; detail: string }[] = [];
      const water: { job: string; at: number }[] = [];
      for (const mark of marks) {
        const job = byName.get(mark.job)!;
        const schedule = job.manifest.schedule!;
        // Up to the lookahead: a slot ahead is recorded now (a scheduled run admitted at its
        // nominal time) only when the overlap decider would start it whatever ends meanwhile.
        const slots = dueSlots(schedule, mark.high_water.getTime(), until);
        let lastAhead: number | undefined;
        let deferred = false;
        const flight = flightBy.get(job.name) ?? { active: [], buffered: [] };
        // Buffered runs to start now that room has been made (a run ended since the last tick).
        const promoteNow = (ids: readonly string[]) => {
          for (const id of ids) {
            const i = flight.buffered.findIndex((b) => b.runId === id);
            if (i < 0) continue;
            flight.active.push(flight.buffered[i]!);
            flight.buffered.splice(i, 1);
            promote.push(id);
          }
        };
        if (flight.buffered.length > 0)
          promoteNow(buffersToStart(job.manifest.concurrency, flight));
        for (const slot of slots) {
          const run: NewRun = {
            job,
            nominalMs: slot,
            trigger: 'schedule',
            idempotencyKey: slotIdempotencyKey(job.name, slot),
          };
          const verdict = slotVerdict(
            now - slot,
            job.manifest.catchUpSeconds ?? 0,
            this.ctx.o.onTimeGraceMs,
          );
          if (verdict.kind === 'missed') {
            other.push({ run, kind: 'missed', detail: '' });
            continue;
          }
          const due: OverlapRun = { runId: runIdOf(run.idempotencyKey), nominalTime: iso(slot) };
          const overlap = decideDueRun(job.manifest.concurrency, flight, due);
          if (slot > now && overlap.kind !== 'start') {
            deferred = true; // decided when it comes due, with the runs in flight then
            break;
          }
          if (slot > now) lastAhead = slot;
          promoteNow(overlap.promote);
          if (overlap.kind === 'skip') {
            other.push({ run, kind: 'skipped', detail: overlap.detail });
            continue;
          }
          if (overlap.kind === 'buffer') {
            flight.buffered.push(due);
            fire.push({ ...run, trigger: verdict.trigger, buffered: true });
            continue;
          }
          if (overlap.kind === 'cancel-older') {
            cancels.push(...overlap.cancel);
            flight.active = flight.active.filter((a) => !overlap.cancel.includes(a.runId));
          }
          flight.active.push(due);
          fire.push({ ...run, trigger: verdict.trigger });
        }
        const last = slots[slots.length - 1];
        const capped = slots.length >= MAX_SLOTS_PER_TICK && !deferred;
        water.push({
          job: job.name,
          at: capped && last ? last : Math.max(now, lastAhead ?? now),
        });
      }
      const created = await insertRuns(this.ctx, client, fire, now);
      await insertClosedRuns(this.ctx, client, other, now);
      if (promote.length > 0) {
        await client.query(
          `UPDATE ${this.ctx.t.runs} SET not_before = $2, deferred_reason = NULL
            WHERE run_id = ANY($1::text[]) AND state = 'scheduled'`,
          [promote, iso(now)],
        );
        this.ctx.admissionDue = true;
      }
      cancelOlder = cancels;
      await client.query(
        `UPDATE ${this.ctx.t.marks} m SET high_water = GREATEST(m.high_water, w.at)
           FROM unnest($1::text[], $2::timestamptz[]) AS w(job, at) WHERE m.job = w.job`,
        [water.map((w) => w.job), water.map((w) => iso(w.at))],
      );
      return created.size + promote.length;
    });
    if (sweep) this.lastSweep = now;
    this.tickedUntil = Math.max(this.tickedUntil, until);
    if (inserted > 0) {
      this.ctx.readyMaybe = true;
      this.ctx.afterCommit({ ready: true, admit: this.ctx.takeAdmissionDue() });
    }
    // cancel-older: the oldest active runs give way to the new slot's run.
    if (cancelOlder.length > 0)
      await this.applyFacts(
        cancelOlder.map((runId) => ({
          runId,
          fact: { type: 'CancelRun', by: `scheduler:${this.ctx.o.instanceId}` } as const,
        })),
      );
    // Sleep until the next slot of any job comes inside the lookahead (exact: the bench measures
    // lag from nominal time).
    let next = Infinity;
    const horizon = now + this.ctx.o.idleMs;
    for (const job of jobs) {
      const [slot] = dueSlots(job.manifest.schedule!, until, horizon + this.ctx.o.lookaheadMs, 1);
      if (slot !== undefined && slot < next) next = slot;
    }
    return Math.max(0, Math.min(next - this.ctx.o.lookaheadMs, horizon) - this.ctx.o.clock());
  }

  private async scheduledJobs(now: number): Promise<RunningJob[]> {
    if (!this.catalog || now - this.catalog.at >= this.ctx.o.catalogRefreshMs) {
      this.catalog = { at: now, jobs: await this.ctx.options.catalog.running() };
      // The runs of these versions, whichever instance inserted them, need no manifest read.
      for (const j of this.catalog.jobs) this.ctx.manifests.remember(j);
    }
    return this.catalog.jobs.filter((j) => !j.deprecated);
  }

  // ---------------------------------------------------------------- creating runs

  // ---------------------------------------------------------------- admission

  /**
   * Runs whose start time came: the run gate (maintenance, freeze) and backpressure decide; open
   * runs start (roots ready), paused or held-back runs are deferred (JobRunDeferred once per
   * reason), blocked ones skipped (JobRunSkipped 'freeze'). Returns the wait until the next start.
   */
  async admit(): Promise<number | undefined> {
    if (this.draining) return undefined;
    const now = this.ctx.o.clock();
    let started = 0;
    await this.ctx.transaction(async (client) => {
      const { rows } = await client.query<RunRow & { deferred_reason: string | null }>(
        `SELECT run_id, job, job_version, team, nominal_time, state, event_version, started_at,
                cancelled_by, deferred_reason
           FROM ${this.ctx.t.runs} WHERE state = 'scheduled' AND not_before <= $1
          ORDER BY not_before LIMIT 500 FOR UPDATE SKIP LOCKED`,
        [iso(now)],
      );
      if (rows.length === 0) return;
      const batch = new RunEventBatch();
      const open: { run: RunRow; manifest: JobManifest }[] = [];
      const defer: { runId: string; until: number; reason: string }[] = [];
      const blocked: string[] = [];
      await this.ctx.manifests.load(rows);
      for (const run of rows) {
        const manifest = await this.ctx.manifests.of(run.job, run.job_version);
        const ref = this.ctx.rowRef(run);
        const gate =
          this.ctx.options.gate && (manifest.components?.length ?? 0) > 0
            ? await this.ctx.options.gate.check(manifest.components!, iso(now))
            : { kind: 'open' as const };
        let deferred:
          { reason: 'maintenance' | 'backpressure'; detail: string; until: number } | undefined;
        if (gate.kind === 'block') {
          blocked.push(run.run_id);
          batch.add(
            run.run_id,
            { type: 'JobRunSkipped', data: { ...ref, reason: 'freeze', detail: gate.reason } },
            this.ctx.actor(),
          );
          continue;
        }
        if (gate.kind === 'pause')
          deferred = { reason: 'maintenance', detail: gate.reason, until: Date.parse(gate.until) };
        else if (this.ctx.options.backpressure && (manifest.backpressure?.length ?? 0) > 0) {
          const held = await this.ctx.options.backpressure.holdBack(manifest);
          if (held)
            deferred = { reason: 'backpressure', detail: held, until: now + this.ctx.o.deferMs };
        }
        if (deferred) {
          defer.push({ runId: run.run_id, until: deferred.until, reason: deferred.reason });
          if (run.deferred_reason !== deferred.reason)
            batch.add(
              run.run_id,
              {
                type: 'JobRunDeferred',
                data: {
                  ...ref,
                  reason: deferred.reason,
                  detail: deferred.detail,
                  until: iso(deferred.until),
                },
              },
              this.ctx.actor(),
            );
          continue;
        }
        open.push({ run, manifest });
        batch.add(
          run.run_id,
          { type: 'JobRunStarted', data: { ...ref, startedAt: iso(now) } },
          this.ctx.actor(),
        );
      }
      const states = new Map<string, string>();
      for (const { run } of open) states.set(run.run_id, 'running');
      for (const id of blocked) states.set(id, 'skipped');
      const ids = rows.map((r) => r.run_id);
      await client.query(
        `UPDATE ${this.ctx.t.runs} r
            SET state = coalesce(u.state, r.state),
                not_before = coalesce(u.until, r.not_before),
                deferred_reason = coalesce(u.reason, r.deferred_reason),
                started_at = CASE WHEN u.state = 'running' THEN $6::timestamptz ELSE r.started_at END,
                finished_at = CASE WHEN u.state = 'skipped' THEN $6::timestamptz ELSE r.finished_at END,
                event_version = r.event_version + u.n
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::int[])
             AS u(run_id, state, until, reason, n)
          WHERE r.run_id = u.run_id`,
        [
          ids,
          ids.map((id) => states.get(id) ?? null),
          ids.map((id) => {
            const d = defer.find((x) => x.runId === id);
            return d ? iso(d.until) : null;
          }),
          ids.map((id) => defer.find((x) => x.runId === id)?.reason ?? null),
          ids.map((id) => batch.count(id)),
          iso(now),
        ],
      );
      const roots = open.flatMap(({ run, manifest }) =>
        manifest.tasks
          .filter((t) => t.dependsOn.length === 0)
          .map((t) => [run.run_id, t.id] as const),
      );
      if (roots.length > 0)
        await client.query(
          `UPDATE ${this.ctx.t.tasks} t SET status = 'ready', not_before = $3, ready_since = $3
             FROM unnest($1::text[], $2::text[]) AS u(run_id, task_id)
            WHERE t.run_id = u.run_id AND t.task_id = u.task_id AND t.status = 'pending'`,
          [roots.map((r) => r[0]), roots.map((r) => r[1]), iso(now)],
        );
      if (blocked.length > 0)
        await client.query(
          `UPDATE ${this.ctx.t.tasks} SET status = 'done', outcome = 'skipped', detail = 'run skipped: freeze'
            WHERE run_id = ANY($1::text[])`,
          [blocked],
        );
      const versions = new Map(rows.map((r) => [r.run_id, r.event_version]));
      await appendInTransaction(
        client,
        this.ctx.schema,
        batch.runs().map((runId) => ({
          streamId: jobRunStream(runId),
          expectedVersion: versions.get(runId)!,
          events: batch.events(runId),
        })),
      );
      started = open.length;
    }, QUEUE_BEGIN);
    if (started > 0) {
      this.ctx.readyMaybe = true;
      this.ctx.afterCommit({ ready: true });
    }
    const { rows } = await this.ctx.pool.query<{ next: Date | null }>(
      `SELECT min(not_before) AS next FROM ${this.ctx.t.runs} WHERE state = 'scheduled'`,
    );
    const next = rows[0]?.next?.getTime();
    return next === undefined ? this.ctx.o.idleMs : Math.max(0, next - this.ctx.o.clock());
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
      claimed = await this.ctx.transaction((client) => this.claim(client, free, now), QUEUE_BEGIN);
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

  private async claim(client: PoolClient, free: number, now: number): Promise<Claimed[]> {
    type Row = RunRow & {
      task_id: string;
      attempt: number;
      priority: number;
      ready_since: Date;
      environment: string;
    };
    // Task and run rows locked together, SKIP LOCKED: a run another transaction is writing (its
    // event version) is passed over now and picked up when that commit wakes us.
    const columns = `t.run_id, t.task_id, t.attempt, t.priority, t.ready_since, r.job, r.job_version,
      r.team, r.nominal_time, r.state, r.event_version, r.started_at, r.cancelled_by, r.environment`;
    let rows: Row[];
    if (this.ctx.policy === priorityThenAge) {
      rows = (
        await client.query<Row>(
          this.ctx.named(
            'claim',
            `SELECT ${columns} FROM ${this.ctx.t.tasks} t JOIN ${this.ctx.t.runs} r ON r.run_id = t.run_id
            WHERE t.status = 'ready' AND t.not_before <= $1
            ORDER BY t.priority DESC, t.ready_since LIMIT $2 FOR UPDATE OF t, r SKIP LOCKED`,
            [iso(now), free],
          ),
        )
      ).rows;
      // Full: more may be ready. Short: none left, or skipped as locked by a claim in flight.
      this.ctx.readyMaybe = rows.length >= free;
    } else {
      rows = await this.claimByPolicy(client, free, now, columns);
    }
    if (rows.length === 0) return [];
    const runBy = new Map<string, Row>();
    for (const row of rows) runBy.set(row.run_id, row);
    const batch = new RunEventBatch();
    const claimed: Claimed[] = [];
    await this.ctx.manifests.load(rows);
    for (const row of rows) {
      const run = runBy.get(row.run_id)!;
      if (run.state !== 'running') continue;
      const manifest = await this.ctx.manifests.of(run.job, run.job_version);
      const task = manifest.tasks.find((t) => t.id === row.task_id);
      if (!task) continue;
      const c = await this.startClaim(client, run, manifest, task, row.attempt, now, batch);
      if (c) claimed.push(c);
    }
    await this.writeTasksAndRuns(
      client,
      claimed.map((c) => this.runningWrite(c, now)),
      batch,
      new Map(),
      now,
      (id) => runBy.get(id)!.event_version,
    );
    return claimed;
  }

  private async claimByPolicy<Row extends { run_id: string; task_id: string }>(
    client: PoolClient,
    free: number,
    now: number,
    columns: string,
  ): Promise<Row[]> {
    type Candidate = {
      run_id: string;
      task_id: string;
      job: string;
      job_version: number;
      team: string;
      priority: number;
      ready_since: Date;
    };
    // The head of every team's queue (a skip scan over job_task_runs_ready_team_idx), not the
    // oldest overall: under a flood from one team, another team's ready tasks must be candidates.
    const { rows: candidates } = await client.query<Candidate>(
      `WITH RECURSIVE teams AS (
         (SELECT team FROM ${this.ctx.t.tasks} WHERE status = 'ready' ORDER BY team LIMIT 1)
         UNION ALL
         SELECT (SELECT t.team FROM ${this.ctx.t.tasks} t
                  WHERE t.status = 'ready' AND t.team > teams.team ORDER BY t.team LIMIT 1)
           FROM teams WHERE teams.team IS NOT NULL
       )
       SELECT c.* FROM teams CROSS JOIN LATERAL (
         SELECT t.run_id, t.task_id, t.job, r.job_version, t.team, t.priority, t.ready_since
           FROM ${this.ctx.t.tasks} t JOIN ${this.ctx.t.runs} r ON r.run_id = t.run_id
          WHERE t.status = 'ready' AND t.team = teams.team AND t.not_before <= $1
          ORDER BY t.priority DESC, t.ready_since LIMIT $2
       ) c WHERE teams.team IS NOT NULL`,
      [iso(now), free * 4],
    );
    if (candidates.length === 0) return [];
    const { rows: load } = await client.query<{ team: string; n: number }>(
      `SELECT team, count(*)::int AS n FROM ${this.ctx.t.tasks} WHERE status = 'running' GROUP BY team`,
    );
    const list: DispatchCandidate[] = [];
    await this.ctx.manifests.load(candidates);
    for (const c of candidates) {
      const m = await this.ctx.manifests.of(c.job, c.job_version);
      list.push({
        taskRunId: `${c.run_id}/${c.task_id}`,
        runId: c.run_id,
        job: c.job,
        team: c.team,
        priority: c.priority,
        criticality: m.criticality,
        pools: m.tasks.find((t) => t.id === c.task_id)?.pools ?? [],
        readySince: c.ready_since.toISOString(),
      });
    }
    const chosen = this.ctx.policy.choose(list, {
      runningByTeam: Object.fromEntries(load.map((l) => [l.team, l.n])),
      freePoolSlots: {},
      capacity: free,
      now: iso(now),
    });
    const picked = chosen.slice(0, free);
    const wanted = picked.map((c) => c.taskRunId);
    const { rows } = await client.query<Row>(
      `SELECT ${columns} FROM ${this.ctx.t.tasks} t JOIN ${this.ctx.t.runs} r ON r.run_id = t.run_id
        WHERE (t.run_id, t.task_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
          AND t.status = 'ready'
        FOR UPDATE OF t, r SKIP LOCKED`,
      [picked.map((c) => c.runId), picked.map((c) => c.taskRunId.slice(c.runId.length + 1))],
    );
    const order = new Map(wanted.map((w, i) => [w, i]));
    return rows.sort(
      (a, b) => order.get(`${a.run_id}/${a.task_id}`)! - order.get(`${b.run_id}/${b.task_id}`)!,
    );
  }

  /** Pool slots (all or none) and TaskRunStarted for one task this instance is about to run. */
  private async startClaim(
    client: PoolClient,
    run: RunRow & { environment: string },
    manifest: JobManifest,
    task: JobTask,
    attempt: number,
    now: number,
    batch: RunEventBatch,
  ): Promise<Claimed | undefined> {
    const taskKey = taskKeyOf(run.run_id, task.id);
    const holder = `${taskKey}#${attempt}`;
    let fencingTokens: Readonly<Record<string, number>> = {};
    const pooled = (task.pools?.length ?? 0) > 0 && this.ctx.options.poolSlots !== undefined;
    if (pooled) {
      const tokens = await this.ctx.options.poolSlots.tryAcquire(
        task.pools!,
        holder,
        this.ctx.o.leaseMs,
        client,
      );
      if (!tokens) return undefined; // stays ready; the pool's release wakes the dispatcher
      fencingTokens = tokens;
    }
    batch.add(
      run.run_id,
      {
        type: 'TaskRunStarted',
        data: {
          ...this.ctx.rowRef(run),
          taskId: task.id,
          attempt,
          taskKey,
          worker: this.ctx.o.instanceId,
          startedAt: iso(now),
          fencingTokens,
        },
      },
      this.ctx.actor(),
    );
    return { run, manifest, task, attempt, taskKey, holder, pooled, fencingTokens };
  }

  private runningWrite(c: Claimed, now: number): TaskWrite {
    return {
      runId: c.run.run_id,
      taskId: c.task.id,
      status: 'running',
      attempt: c.attempt,
      outcome: null,
      handled: false,
      notBefore: null,
      exitCode: null,
      httpStatus: null,
      detail: null,
      leaseOwner: this.ctx.o.instanceId,
      leaseExpires: iso(now + this.ctx.o.leaseMs),
    };
  }

  /**
   * One statement (one round trip): the task rows, each touched run's event version (plus its end
   * when it finished), and the runs' events at their versions (the run rows are locked by the
   * caller). Data-modifying CTEs all run, whatever the outer statement reads.
   */
  private async writeTasksAndRuns(
    client: PoolClient,
    tasks: readonly TaskWrite[],
    batch: RunEventBatch,
    runEnds: ReadonlyMap<string, { outcome: RunOutcome; cancelledBy?: string }>,
    now: number,
    versionOf: (runId: string) => number,
  ): Promise<void> {
    const runs = batch.runs();
    if (tasks.length === 0 && runs.length === 0) return;
    const append = appendStatement(
      this.ctx.schema,
      runs.map((runId) => ({
        streamId: jobRunStream(runId),
        expectedVersion: versionOf(runId),
        events: batch.events(runId),
      })),
      18,
    );
    await client.query(
      this.ctx.named(
        append ? 'write_ev' : 'write',
        `WITH ${append ? `ev AS (${append.sql}), ` : ''}tu AS (
         UPDATE ${this.ctx.t.tasks} t
            SET status = u.status, attempt = u.attempt, outcome = u.outcome, handled = u.handled,
                not_before = coalesce(u.not_before, t.not_before),
                ready_since = CASE WHEN u.status = 'ready' THEN u.not_before ELSE t.ready_since END,
                finished_at = CASE WHEN u.status = 'done' THEN $13::timestamptz ELSE t.finished_at END,
                started_at = CASE WHEN u.status = 'running' THEN $13::timestamptz ELSE t.started_at END,
                heartbeat_at = CASE WHEN u.status = 'running' THEN $13::timestamptz ELSE t.heartbeat_at END,
                exit_code = u.exit_code, http_status = u.http_status, detail = u.detail,
                lease_owner = u.lease_owner, lease_expires_at = u.lease_expires
           FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bool[],
                       $7::timestamptz[], $8::int[], $9::int[], $10::text[], $11::text[], $12::timestamptz[])
             AS u(run_id, task_id, status, attempt, outcome, handled, not_before, exit_code,
                  http_status, detail, lease_owner, lease_expires)
          WHERE t.run_id = u.run_id AND t.task_id = u.task_id
          RETURNING 1)
       UPDATE ${this.ctx.t.runs} r
          SET event_version = r.event_version + u.n,
              state = CASE WHEN u.outcome IS NULL THEN r.state ELSE 'finished' END,
              outcome = coalesce(u.outcome, r.outcome),
              finished_at = CASE WHEN u.outcome IS NULL THEN r.finished_at ELSE $13::timestamptz END,
              cancelled_by = coalesce(u.cancelled_by, r.cancelled_by)
         FROM unnest($14::text[], $15::int[], $16::text[], $17::text[]) AS u(run_id, n, outcome, cancelled_by)
        WHERE r.run_id = u.run_id`,
        [
          tasks.map((w) => w.runId),
          tasks.map((w) => w.taskId),
          tasks.map((w) => w.status),
          tasks.map((w) => w.attempt),
          tasks.map((w) => w.outcome),
          tasks.map((w) => w.handled),
          tasks.map((w) => w.notBefore),
          tasks.map((w) => w.exitCode),
          tasks.map((w) => w.httpStatus),
          tasks.map((w) => w.detail),
          tasks.map((w) => w.leaseOwner),
          tasks.map((w) => w.leaseExpires),
          iso(now),
          runs,
          runs.map((id) => batch.count(id)),
          runs.map((id) => runEnds.get(id)?.outcome ?? null),
          runs.map((id) => runEnds.get(id)?.cancelledBy ?? null),
          ...(append?.values ?? []),
        ],
      ),
    );
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
              const claimed = await this.startClaim(
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
                writes.push(this.runningWrite(claimed, now));
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
            const claimed = await this.startClaim(
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
            writes.push(this.runningWrite(claimed, now));
          }
        }
        leftReady = releases.length > 0 || writes.some((w) => w.status === 'ready');
        await this.writeTasksAndRuns(
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
