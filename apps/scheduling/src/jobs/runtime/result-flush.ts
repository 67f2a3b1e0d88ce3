import type { TaskRunView } from '@trainyard/scheduling-domain';
import { priorityThenAge } from './default-dispatch-policy';
import { decideFacts } from './fact-decisions';
import type { RuntimeContext } from './runtime-context';
import {
  iso,
  QUEUE_BEGIN,
  type Claimed,
  type PendingFact,
  type RunRow,
  type TaskRow,
  type TaskWrite,
} from './runtime-records';
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
 * the write with COMMIT (a result whose dependent starts here costs two round trips).
 */
export async function applyFacts(
  ctx: RuntimeContext,
  local: LocalTasks,
  facts: readonly PendingFact[],
): Promise<number> {
  const now = ctx.o.clock();
  let aborts: string[] = [];
  let handoff: Claimed[] = [];
  let leftReady = false;
  // Workers this flush reserved (hand-off and further claims); what it did not start goes back.
  let held = 0;
  const reserve = (wanted: number): number => {
    const granted = local.draining() ? 0 : ctx.workers.reserve(wanted, ctx.headroom);
    held += granted;
    return granted;
  };
  let changed: number;
  try {
    changed = await ctx.pipelinedTransaction(async (tx) => {
      aborts = [];
      handoff = [];
      ctx.workers.release(held); // a retried transaction starts over
      held = 0;
      const releases: string[] = [];
      const runIds = [...new Set(facts.map((f) => f.runId))].sort();
      // The runs locked in id order (one writer per stream), then their tasks read by a second
      // statement: under READ COMMITTED a statement that waited for a lock re-reads only the
      // locked rows (the run rows it returns are their latest versions), so task rows joined to
      // them would be the state from before the wait. Of a task only what the decider reads; its
      // times only while it runs (a run's finished tasks are most of its rows). Ordered by the
      // primary key so that, with sorts off, the plan is that index: this statement's generic plan
      // scanned the whole table when the statistics were missing (a fresh schema under a flood).
      const [{ rows: runRows }, { rows: taskRows }] = await Promise.all([
        tx.query<RunRow & { environment: string }>(
          ctx.named(
            'lockruns',
            `SELECT run_id, job, job_version, team, nominal_time, state, event_version, started_at,
                  cancelled_by, environment
             FROM ${ctx.t.runs} WHERE run_id = ANY($1::text[]) ORDER BY run_id FOR UPDATE`,
            [runIds],
          ),
        ),
        tx.queryArrays<TaskColumns>({
          ...ctx.named(
            'readtasks',
            `SELECT run_id, task_id, status, attempt, outcome, handled,
                  CASE WHEN status = 'running' THEN started_at END AS started_at,
                  CASE WHEN status = 'running' THEN lease_expires_at END AS lease_expires_at
             FROM ${ctx.t.tasks} WHERE run_id = ANY($1::text[]) ORDER BY run_id, task_id`,
            [runIds],
          ),
          rowMode: 'array',
        }),
      ]);
      const runBy = new Map<string, RunRow & { environment: string }>();
      for (const run of runRows) runBy.set(run.run_id, run);
      const tasksBy = new Map<string, Record<string, TaskRunView>>();
      // The rows of running tasks (their start and lease; the others' are not read).
      const rowBy = new Map<string, TaskRow>();
      for (const [
        run_id,
        task_id,
        status,
        attempt,
        outcome,
        handled,
        started_at,
        lease,
      ] of taskRows) {
        let map = tasksBy.get(run_id);
        if (!map) tasksBy.set(run_id, (map = {}));
        const view: TaskRunView = outcome ? { status, attempt, outcome } : { status, attempt };
        map[task_id] = handled ? { ...view, handled } : view;
        if (status === 'running')
          rowBy.set(`${run_id}/${task_id}`, {
            run_id,
            task_id,
            status,
            attempt,
            outcome,
            handled,
            started_at,
            lease_expires_at: lease,
          });
      }
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
      return finalChange.size;
    }, QUEUE_BEGIN);
  } catch (error) {
    ctx.workers.release(held);
    throw error;
  }
  ctx.workers.release(held - handoff.length);
  for (const c of handoff) local.execute(c);
  if (changed > 0) {
    for (const a of aborts) local.abortLocal(a);
    if (leftReady) ctx.readyMaybe = true;
    ctx.afterCommit({ ready: handoff.length < changed, aborts });
  }
  return changed;
}

/** A task row as `readtasks` returns it (rows as arrays: a run's tasks are read on every result). */
type TaskColumns = [
  run_id: string,
  task_id: string,
  status: TaskRow['status'],
  attempt: number,
  outcome: TaskRow['outcome'],
  handled: boolean,
  started_at: Date | null,
  lease_expires_at: Date | null,
];
