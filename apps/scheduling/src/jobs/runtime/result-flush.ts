import { priorityThenAge } from './default-dispatch-policy';
import { decideFacts } from './fact-decisions';
import type { RuntimeContext } from './runtime-context';
import {
  iso,
  QUEUE_BEGIN,
  type Claimed,
  type PendingFact,
  type RunRow,
  type TaskWrite,
} from './runtime-records';
import { keepSnapshots, lockAndRead, type RunsState } from './flush-state';
import { startClaim } from './task-claims';
import { runningWrite, tasksAndRunsWrite } from './task-writes';

/** What the flush needs of the instance's own executions. */
export interface LocalTasks {
  /** The runtime is stopping: no further tasks start here. */
  draining(): boolean;
  /** Starts a task claimed (handed off) by the flush, after its commit. */
  execute(c: Claimed): void;
  /** Aborts an attempt running here (`<run>/<task>:<attempt>`). */
  abortLocal(key: string): void;
}

/**
 * The decider applied to facts, for many runs in one transaction: runs locked in id order,
 * their tasks read, each fact decided in turn, rows updated, events appended. Returns the number
 * of task changes. On a pipelined connection: BEGIN, the lock and the read go out together, and
 * the write with COMMIT (a result whose dependent starts here costs two round trips). A result of
 * a run whose state this instance's last commit left it knows (RunSnapshots: a chain's next task,
 * handed off here) is decided over that state instead, in one round trip: BEGIN, the lock, the
 * write and COMMIT go out together; when the run changed meanwhile, its events collide with the
 * ones appended since and the facts are decided again over a locked read.
 */
export async function applyFacts(
  ctx: RuntimeContext,
  local: LocalTasks,
  facts: readonly PendingFact[],
): Promise<number> {
  const runIds = [...new Set(facts.map((f) => f.runId))].sort();
  if (mayUseSnapshots(ctx, facts) && ctx.snapshots.has(runIds)) {
    try {
      return await applyFactsTo(ctx, local, facts, runIds, true);
    } catch (error) {
      if (!outOfDate(error)) throw error;
      ctx.snapshots.forget(runIds);
    }
  }
  return applyFactsTo(ctx, local, facts, runIds, false);
}

/**
 * Only the instance's own results (a reaper's `lost` reads the lease's expiry), and only when the
 * flush will not claim other runs' ready tasks with its free workers (that reads the queue: a
 * round trip anyway; while a chain's results keep coming, the dispatcher leaves those claims to
 * the flush, JobRuntime.dispatch).
 */
const mayUseSnapshots = (ctx: RuntimeContext, facts: readonly PendingFact[]): boolean =>
  !(ctx.readyMaybe && ctx.policy === priorityThenAge) &&
  facts.every((f) => f.fact.type === 'TaskAttemptFinished' && f.leaseExpiredBefore === undefined);

/**
 * The events' primary key (stream, version): another writer appended to the run since; or the
 * snapshot's decision wrote no event for a run (nothing then fences it), or the snapshot is gone.
 */
const outOfDate = (error: unknown): boolean => {
  if (error instanceof UnfencedSnapshot) return true;
  const e = error as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'events_pkey';
};

class UnfencedSnapshot extends Error {}

async function applyFactsTo(
  ctx: RuntimeContext,
  local: LocalTasks,
  facts: readonly PendingFact[],
  runIds: readonly string[],
  fromSnapshots: boolean,
): Promise<number> {
  const now = ctx.o.clock();
  let aborts: string[] = [];
  let handoff: Claimed[] = [];
  let leftReady = false;
  let committed: { state: RunsState; versions: Map<string, number> } | undefined;
  // Workers this flush reserved (hand-off and further claims); what it did not start goes back.
  let held = 0;
  const reserve = (wanted: number): number => {
    const granted = local.draining() ? 0 : ctx.workers.reserve(wanted, ctx.headroom);
    held += granted;
    return granted;
  };
  let changed: number;
  try {
    // Each answer waits for a below-share team's start in flight here (PriorityStarts).
    changed = await ctx.givingWayTransaction(async (tx) => {
      aborts = [];
      handoff = [];
      committed = undefined;
      ctx.workers.release(held); // a retried transaction starts over
      held = 0;
      const releases: string[] = [];
      let state: RunsState | undefined;
      if (fromSnapshots) {
        state = ctx.snapshots.state(runIds);
        // Dropped meanwhile by another transaction's commit (the reaper's, a cancel's).
        if (!state) throw new UnfencedSnapshot('a run snapshot was dropped');
        // Held from before the write to the commit, as every writer of a run's stream does.
        tx.send(
          ctx.named(
            'lockrunsonly',
            `SELECT 1 FROM ${ctx.t.runs} WHERE run_id = ANY($1::text[]) ORDER BY run_id FOR UPDATE`,
            [runIds],
          ),
        );
      } else state = await lockAndRead(ctx, tx, runIds);
      const { runBy, tasksBy, rowBy } = state;
      const { batch, finalChange, runEnds } = await decideFacts(
        ctx,
        facts,
        runBy,
        tasksBy,
        rowBy,
        now,
        releases,
        aborts,
      );
      if (fromSnapshots && runIds.some((id) => batch.count(id) === 0))
        throw new UnfencedSnapshot('a run without events from its snapshot');
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
          const manifest = await ctx.manifests.of(run.job, run.job_version);
          const task = manifest.tasks.find((t) => t.id === c.taskId);
          if (task && !task.pools?.length) {
            const claimed = await startClaim(
              ctx,
              tx.client,
              run,
              manifest,
              task,
              c.attempt,
              now,
              batch,
            );
            if (claimed) {
              handoff.push(claimed);
              writes.push(runningWrite(ctx, claimed, now));
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
        ctx.readyMaybe && ctx.policy === priorityThenAge
          ? held - handoff.length + reserve(ctx.o.concurrency)
          : 0;
      if (free > 0) {
        const { rows: more } = await tx.query<
          RunRow & { task_id: string; attempt: number; environment: string }
        >(
          ctx.named(
            'claimmore',
            `SELECT t.run_id, t.task_id, t.attempt, r.job, r.job_version, r.team, r.nominal_time,
                  r.state, r.event_version, r.started_at, r.cancelled_by, r.environment
             FROM ${ctx.t.tasks} t JOIN ${ctx.t.runs} r ON r.run_id = t.run_id
            WHERE t.status = 'ready' AND t.not_before <= $1 AND t.run_id <> ALL($3::text[])
            ORDER BY t.priority DESC, t.ready_since LIMIT $2 FOR UPDATE OF t, r SKIP LOCKED`,
            [iso(now), free, runIds],
          ),
        );
        ctx.readyMaybe = more.length >= free;
        await ctx.manifests.load(more);
        for (const row of more) {
          if (!runBy.has(row.run_id)) runBy.set(row.run_id, row);
          const run = runBy.get(row.run_id)!;
          if (run.state !== 'running') continue;
          const manifest = await ctx.manifests.of(run.job, run.job_version);
          const task = manifest.tasks.find((t) => t.id === row.task_id);
          if (!task) continue;
          const claimed = await startClaim(
            ctx,
            tx.client,
            run,
            manifest,
            task,
            row.attempt,
            now,
            batch,
          );
          if (!claimed) continue;
          handoff.push(claimed);
          writes.push(runningWrite(ctx, claimed, now));
        }
      }
      leftReady = releases.length > 0 || writes.some((w) => w.status === 'ready');
      // Sent, not awaited: COMMIT follows it in the same round trip.
      const write = tasksAndRunsWrite(
        ctx,
        writes,
        batch,
        runEnds,
        now,
        (id) => runBy.get(id)!.event_version,
      );
      if (write) tx.send(write);
      if (ctx.options.poolSlots)
        for (const holder of releases) await ctx.options.poolSlots.release(holder, tx.client);
      committed = {
        state,
        versions: new Map(runIds.map((id) => [id, runBy.get(id)!.event_version + batch.count(id)])),
      };
      return finalChange.size;
    }, QUEUE_BEGIN);
  } catch (error) {
    ctx.workers.release(held);
    throw error;
  }
  ctx.workers.release(held - handoff.length);
  if (committed) keepSnapshots(ctx, runIds, committed.state, committed.versions, handoff, now);
  for (const c of handoff) local.execute(c);
  if (changed > 0) {
    for (const a of aborts) local.abortLocal(a);
    if (leftReady) ctx.readyMaybe = true;
    ctx.afterCommit({ ready: handoff.length < changed, aborts });
  }
  return changed;
}
