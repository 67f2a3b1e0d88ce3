import {
  buffersToStart,
  decideDueRun,
  dueSlots,
  MAX_SLOTS_PER_TICK,
  shouldPreclaim,
  slotIdempotencyKey,
  slotVerdict,
  type OverlapRun,
} from '@trainyard/scheduling-domain';
import type { RunningJob } from '../runtime-ports';
import { insertClosedRuns, insertRuns } from './run-creation';
import type { RuntimeContext } from './runtime-context';
import {
  BUFFERED,
  iso,
  runIdOf,
  type NewRun,
  type PendingFact,
  type PreclaimedRun,
} from './runtime-records';

/** Every job's mark is checked this often (between, only jobs with a slot since the last tick). */
const SWEEP_MS = 5_000;
/** Marks locked by one tick transaction (see tick). */
const MARKS_PER_TRANSACTION = 100;

/**
 * The scheduler tick: each scheduled job's due slots (up to the lookahead) from its high-water
 * mark, decided by the overlap policy and recorded as runs.
 */
export class SchedulerTick {
  private readonly knownMarks = new Set<string>();
  private catalog?: { at: number; jobs: RunningJob[] };
  /** The tick has covered slots up to here (its last `now` plus the lookahead). */
  private tickedUntil = 0;
  private lastSweep = -Infinity;

  constructor(
    private readonly ctx: RuntimeContext,
    /** cancel-older: applies CancelRun facts to the runs that give way. */
    private readonly cancelRuns: (facts: readonly PendingFact[]) => Promise<number>,
    /** Runs this tick recorded with this instance's pre-claim, after the commit. */
    private readonly onPreclaimed: (runs: readonly PreclaimedRun[]) => void = () => undefined,
  ) {}

  /**
   * Inserts every due slot of every scheduled job since its high-water mark: on time, catch-up, or
   * missed (JobRunMissed); the overlap decider may skip (JobRunSkipped). Marks are locked SKIP
   * LOCKED, so concurrent instances split the jobs; the slot key makes a double fire impossible.
   * Returns how long until the next slot.
   */
  async tick(): Promise<number | undefined> {
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
    // Marks in batches, each its own transaction: instances ticking at the same time (every
    // instance wakes for the same slot) split a burst's jobs between them, so each starts its
    // share of the pre-claimed runs from memory.
    let remaining = [...byName.keys()];
    const cancelOlder: string[] = [];
    for (;;) {
      let locked: string[] = [];
      let preclaimed: PreclaimedRun[] = [];
      let cancels: string[] = [];
      const n = await this.ctx.transaction(async (client) => {
        locked = [];
        preclaimed = [];
        cancels = [];
        const { rows: marks } = await client.query<{ job: string; high_water: Date }>(
          `SELECT job, high_water FROM ${this.ctx.t.marks} WHERE job = ANY($1::text[]) AND high_water < $2
            ORDER BY job LIMIT ${MARKS_PER_TRANSACTION} FOR UPDATE SKIP LOCKED`,
          [remaining, iso(until)],
        );
        locked = marks.map((m) => m.job);
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
        const cancelled: string[] = [];
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
              cancelled.push(...overlap.cancel);
              flight.active = flight.active.filter((a) => !overlap.cancel.includes(a.runId));
            }
            flight.active.push(due);
            fire.push({
              ...run,
              trigger: verdict.trigger,
              // Recorded ahead and started by the overlap policy whatever ends meanwhile: leased
              // to this instance, which starts it from memory at its start time.
              preclaim: shouldPreclaim({
                nominalMs: slot,
                nowMs: now,
                overlap: overlap.kind === 'start' ? 'start' : 'other',
                manifest: job.manifest,
                executes: this.ctx.o.concurrency > 0,
                graceMs: this.ctx.o.preclaimGraceMs,
              }),
            });
          }
          const last = slots[slots.length - 1];
          const capped = slots.length >= MAX_SLOTS_PER_TICK && !deferred;
          water.push({
            job: job.name,
            at: capped && last ? last : Math.max(now, lastAhead ?? now),
          });
        }
        const created = await insertRuns(this.ctx, client, fire, now, { preclaimed });
        await insertClosedRuns(this.ctx, client, other, now);
        if (promote.length > 0) {
          await client.query(
            `UPDATE ${this.ctx.t.runs} SET not_before = $2, deferred_reason = NULL
            WHERE run_id = ANY($1::text[]) AND state = 'scheduled'`,
            [promote, iso(now)],
          );
          this.ctx.admissionDue = true;
        }
        cancels = cancelled;
        await client.query(
          `UPDATE ${this.ctx.t.marks} m SET high_water = GREATEST(m.high_water, w.at)
           FROM unnest($1::text[], $2::timestamptz[]) AS w(job, at) WHERE m.job = w.job`,
          [water.map((w) => w.job), water.map((w) => iso(w.at))],
        );
        return created.size + promote.length;
      });
      cancelOlder.push(...cancels);
      if (preclaimed.length > 0) this.onPreclaimed(preclaimed);
      if (n > 0) {
        this.ctx.readyMaybe = true;
        this.ctx.afterCommit({ ready: true, admit: this.ctx.takeAdmissionDue() });
      }
      if (locked.length < MARKS_PER_TRANSACTION) break;
      const done = new Set(locked);
      remaining = remaining.filter((j) => !done.has(j));
    }
    if (sweep) this.lastSweep = now;
    this.tickedUntil = Math.max(this.tickedUntil, until);
    // cancel-older: the oldest active runs give way to the new slot's run.
    if (cancelOlder.length > 0)
      await this.cancelRuns(
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
}
