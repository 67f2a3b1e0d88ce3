import { applyFacts, type LocalTasks } from './result-flush';
import type { RuntimeContext } from './runtime-context';
import { iso } from './runtime-records';

/** Tasks whose lease ran out (their worker died or hung): failed as lost, retried per policy. */
export async function reapExpiredLeases(ctx: RuntimeContext, local: LocalTasks): Promise<number> {
  const now = ctx.o.clock();
  const { rows } = await ctx.pool.query<{
    run_id: string;
    task_id: string;
    attempt: number;
    lease_owner: string;
  }>(
    `SELECT run_id, task_id, attempt, lease_owner FROM ${ctx.t.tasks}
        WHERE status = 'running' AND lease_expires_at < $1 LIMIT 500`,
    [iso(now)],
  );
  if (rows.length === 0) return 0;
  return applyFacts(
    ctx,
    local,
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
