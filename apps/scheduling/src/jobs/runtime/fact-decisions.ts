import {
  decideRunStep,
  taskKeyOf,
  type RunOutcome,
  type TaskChange,
  type TaskRunView,
} from '@trainyard/scheduling-domain';
import { RunEventBatch } from './run-events';
import type { RuntimeContext } from './runtime-context';
import { iso, type PendingFact, type RunRow, type TaskRow } from './runtime-records';

/** What recording results decided: the runs' events, each task's last change, the runs that ended. */
export interface FactDecisions {
  readonly batch: RunEventBatch;
  readonly finalChange: Map<string, { runId: string; change: TaskChange }>;
  readonly runEnds: Map<string, { outcome: RunOutcome; cancelledBy?: string }>;
}

/**
 * The run decider applied to each fact in turn, over the locked runs' rows read by the flush:
 * task changes, TaskRunFinished / TaskRetryScheduled / JobRunFinished, the pool slots to release
 * and the running attempts to abort (pushed to `releases` and `aborts`).
 */
export async function decideFacts(
  ctx: RuntimeContext,
  facts: readonly PendingFact[],
  runBy: Map<string, RunRow & { environment: string }>,
  tasksBy: Map<string, Record<string, TaskRunView>>,
  rowBy: Map<string, TaskRow>,
  now: number,
  releases: string[],
  aborts: string[],
): Promise<FactDecisions> {
  const batch = new RunEventBatch();
  const finalChange = new Map<string, { runId: string; change: TaskChange }>();
  const runEnds = new Map<string, { outcome: RunOutcome; cancelledBy?: string }>();
  await ctx.manifests.load(runBy.values());
  for (const f of facts) {
    const run = runBy.get(f.runId);
    if (!run || (run.state !== 'running' && run.state !== 'scheduled')) continue;
    let tasks = tasksBy.get(f.runId);
    if (!tasks) tasksBy.set(f.runId, (tasks = {}));
    if (f.leaseExpiredBefore !== undefined && f.fact.type === 'TaskAttemptFinished') {
      const row = rowBy.get(`${f.runId}/${f.fact.taskId}`);
      if (!row?.lease_expires_at || row.lease_expires_at.getTime() >= f.leaseExpiredBefore)
        continue;
    }
    const manifest = await ctx.manifests.of(run.job, run.job_version);
    const step = decideRunStep(manifest, tasks, f.fact, {
      now: iso(now),
      random: ctx.o.random,
    });
    if (step.changes.length === 0) continue;
    const ref = ctx.rowRef(run);
    // `tasks` is this flush's own read of the run's rows: kept up to date in place for the run's
    // next fact (a copy per fact would cost more than deciding it, for a run of hundreds of tasks).
    for (const c of step.changes) {
      const key = `${f.runId}/${c.taskId}`;
      finalChange.set(key, { runId: f.runId, change: c });
      if (c.kind === 'ready') {
        tasks[c.taskId] = { status: 'ready', attempt: c.attempt };
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
        ctx.actor(),
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
          ctx.actor(),
        );
        tasks[c.taskId] = { status: 'ready', attempt: c.nextAttempt };
      } else
        tasks[c.taskId] = {
          status: 'done',
          attempt: c.attempt,
          outcome: c.outcome,
          ...(c.handled ? { handled: true } : {}),
        };
    }
    if (step.runOutcome) {
      // A run cancelled before it started may be pre-claimed by an instance that would start it
      // from memory: its root tasks' first attempts are aborted there (the holder drops it).
      if (run.state === 'scheduled')
        for (const t of manifest.tasks)
          if (t.dependsOn.length === 0) aborts.push(`${f.runId}/${t.id}:1`);
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
              Object.entries(tasks).map(([id, t]) => [id, t.outcome ?? 'cancelled']),
            ),
            ...(cancelledBy ? { cancelledBy } : {}),
          },
        },
        ctx.actor(cancelledBy),
      );
      run.state = 'finished';
    }
  }
  return { batch, finalChange, runEnds };
}
