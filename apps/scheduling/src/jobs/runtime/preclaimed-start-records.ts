import type { PoolClient } from 'pg';
import { RunEventBatch } from './run-events';
import type { RuntimeContext } from './runtime-context';
import { iso, type Claimed, type PreclaimedRun } from './runtime-records';
import { runningWrite, tasksAndRunsWrite } from './task-writes';

/** A pre-claimed run started from memory: its root tasks' claims, and when it fired. */
export interface Fired {
  readonly run: PreclaimedRun;
  readonly claimed: Claimed[];
  firedAt: number;
}

/**
 * Records starts made from memory (PreclaimedFires), in the caller's transaction: JobRunStarted,
 * TaskRunStarted and the rows running under this instance's task lease, only for the runs whose
 * row is still scheduled under this instance's pre-claim (locked first). Returns those runs; the
 * others were taken over or cancelled meanwhile.
 */
export async function recordStarts(
  ctx: RuntimeContext,
  client: PoolClient,
  fired: readonly Fired[],
  now: number,
): Promise<Set<string>> {
  const ids = fired.map((f) => f.run.runId).sort();
  // Locked, and only while still ours: a takeover (admission after the lease expired) or a
  // cancel changed the row's state or owner.
  const { rows } = await client.query<{ run_id: string }>(
    `SELECT run_id FROM ${ctx.t.runs}
        WHERE run_id = ANY($1::text[]) AND state = 'scheduled' AND preclaim_owner = $2
        ORDER BY run_id FOR UPDATE`,
    [ids, ctx.preclaimOwner],
  );
  const mine = new Set(rows.map((r) => r.run_id));
  const ours = fired.filter((f) => mine.has(f.run.runId));
  if (ours.length === 0) return mine;
  const batch = new RunEventBatch();
  for (const f of ours) {
    const ref = ctx.refOf(f.run.runId, f.run.job, f.run.nominalMs);
    batch.add(
      f.run.runId,
      { type: 'JobRunStarted', data: { ...ref, startedAt: iso(f.firedAt) } },
      ctx.actor(),
    );
    for (const c of f.claimed)
      batch.add(
        f.run.runId,
        {
          type: 'TaskRunStarted',
          data: {
            ...ref,
            taskId: c.task.id,
            attempt: 1,
            taskKey: c.taskKey,
            worker: ctx.o.instanceId,
            startedAt: iso(f.firedAt),
            fencingTokens: {},
          },
        },
        ctx.actor(),
      );
  }
  await client.query(
    `UPDATE ${ctx.t.runs} r SET state = 'running', started_at = u.at, deferred_reason = NULL
         FROM unnest($1::text[], $2::timestamptz[]) AS u(run_id, at) WHERE r.run_id = u.run_id`,
    [ours.map((f) => f.run.runId), ours.map((f) => iso(f.firedAt))],
  );
  const write = tasksAndRunsWrite(
    ctx,
    ours.flatMap((f) => f.claimed.map((c) => runningWrite(ctx, c, now))),
    batch,
    new Map(),
    Math.min(...ours.map((f) => f.firedAt)),
    () => 1, // JobRunScheduled only, while the row is scheduled and ours
  );
  if (write) await client.query(write);
  return mine;
}
