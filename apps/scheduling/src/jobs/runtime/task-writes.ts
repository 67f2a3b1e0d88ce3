import type { QueryConfig } from 'pg';
import { appendStatement } from '@trainyard/event-store';
import type { RunOutcome } from '@trainyard/scheduling-domain';
import { jobRunStream, type RunEventBatch } from './run-events';
import type { RuntimeContext } from './runtime-context';
import { iso, type Claimed, type TaskWrite } from './runtime-records';

/** Writing task rows, their runs' versions and ends, and the runs' events in one statement. */

/**
 * One statement (one round trip): the task rows, each touched run's event version (plus its end
 * when it finished), and the runs' events at their versions (the run rows are locked by the
 * caller). Data-modifying CTEs all run, whatever the outer statement reads. Undefined when there
 * is nothing to write.
 */
export function tasksAndRunsWrite(
  ctx: RuntimeContext,
  tasks: readonly TaskWrite[],
  batch: RunEventBatch,
  runEnds: ReadonlyMap<string, { outcome: RunOutcome; cancelledBy?: string }>,
  now: number,
  versionOf: (runId: string) => number,
): QueryConfig | undefined {
  const runs = batch.runs();
  if (tasks.length === 0 && runs.length === 0) return undefined;
  const append = appendStatement(
    ctx.schema,
    runs.map((runId) => ({
      streamId: jobRunStream(runId),
      expectedVersion: versionOf(runId),
      events: batch.events(runId),
    })),
    18,
  );
  return ctx.named(
    append ? 'write_ev' : 'write',
    `WITH ${append ? `ev AS (${append.sql}), ` : ''}tu AS (
         UPDATE ${ctx.t.tasks} t
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
       UPDATE ${ctx.t.runs} r
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
  );
}

export function runningWrite(ctx: RuntimeContext, c: Claimed, now: number): TaskWrite {
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
    leaseOwner: ctx.o.instanceId,
    leaseExpires: iso(now + ctx.o.leaseMs),
  };
}
