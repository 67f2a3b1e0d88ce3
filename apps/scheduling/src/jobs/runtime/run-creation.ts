import type { PoolClient, QueryConfig } from 'pg';
import { appendInTransaction, appendStatement } from '@trainyard/event-store';
import {
  initialRunTasks,
  preclaimExpiry,
  startJitterMs,
  type JobRunEvent,
} from '@trainyard/scheduling-domain';
import { RunEventBatch, jobRunStream } from './run-events';
import type { RuntimeContext } from './runtime-context';
import {
  BUFFERED,
  iso,
  NEVER,
  runIdOf,
  type NewRun,
  type PreclaimedRun,
  type StartedRun,
} from './runtime-records';

/** Creating runs: schedule slots and manual triggers, with their tasks and first events. */

/**
 * Inserts runs ON CONFLICT DO NOTHING (slot key, idempotency key) and, for those inserted, their
 * tasks and JobRunScheduled (+ JobRunStarted when nothing has to admit it first). Returns the
 * run ids inserted. A run asked to be pre-claimed is inserted with this instance's lease, and
 * pushed to `out.preclaimed` when inserted here (another instance's insert of the slot wins); a
 * run inserted as running is pushed to `out.started` with its ready tasks. With `out.send` (a
 * pipelined transaction), the events go out without waiting for their answer.
 */
export async function insertRuns(
  ctx: RuntimeContext,
  client: PoolClient,
  runs: readonly NewRun[],
  now: number,
  out: {
    readonly preclaimed?: PreclaimedRun[];
    readonly started?: StartedRun[];
    readonly send?: (statement: QueryConfig) => void;
  } = {},
): Promise<Set<string>> {
  if (runs.length === 0) return new Set();
  await ctx.manifests.store(
    client,
    runs.map((r) => r.job),
  );
  const rows = runs.map((r) => {
    const m = r.job.manifest;
    // Drawn from the run id (jobs-capacity): every instance computes the same start.
    const jitter = startJitterMs(runIdOf(r.idempotencyKey), m.startJitterSeconds);
    const notBefore = Math.max(r.nominalMs, r.trigger === 'manual' ? now : r.nominalMs) + jitter;
    const needsAdmission =
      r.buffered === true ||
      notBefore > now ||
      (m.components?.length ?? 0) > 0 ||
      (m.backpressure?.length ?? 0) > 0;
    return {
      r,
      runId: runIdOf(r.idempotencyKey),
      notBefore,
      // A buffered run waits for promotion (the tick sets not_before when room is made).
      rowNotBefore: r.buffered ? NEVER : notBefore,
      start: !needsAdmission,
      // Only a run admission would start at notBefore anyway (nothing else to check then).
      preclaimUntil:
        r.preclaim === true && needsAdmission && notBefore > now && !r.buffered
          ? preclaimExpiry(notBefore, ctx.o.preclaimGraceMs)
          : undefined,
    };
  });
  // A repeated key inside one batch inserts once (its first request).
  const seen = new Set<string>();
  const unique = rows.filter((x) => !seen.has(x.runId) && seen.add(x.runId));
  const tasks = unique.flatMap((x) => {
    const m = x.r.job.manifest;
    const initial = initialRunTasks(m);
    return m.tasks.map((task) => ({
      run: x.runId,
      task: task.id,
      job: m.name,
      team: m.owner,
      prio: m.priority ?? 50,
      status: x.start ? initial[task.id]!.status : 'pending',
    }));
  });
  // The runs and the tasks of those inserted in one statement: a trigger's wait under a flood is
  // its round trips, each a turn of this process's event loop and a wait for the CPU.
  const { rows: inserted } = await client.query<{ run_id: string }>(
    `WITH r AS (
       INSERT INTO ${ctx.t.runs} (run_id, job, job_version, team, nominal_time, idempotency_key, trigger,
              environment, state, priority, not_before, requested_by, event_version, started_at,
              preclaim_owner, preclaim_until, deferred_reason)
       SELECT u.run_id, u.job, u.job_version, u.team, u.nominal_time, u.key, u.trigger, $1, u.state,
              u.priority, u.not_before, u.requested_by, u.event_version, u.started_at,
              CASE WHEN u.preclaim_until IS NOT NULL THEN $16 END, u.preclaim_until,
              CASE WHEN u.buffered THEN '${BUFFERED}' END
         FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[], $7::text[],
                     $8::text[], $9::text[], $10::int[], $11::timestamptz[], $12::text[], $13::int[],
                     $14::timestamptz[], $15::timestamptz[], $17::bool[])
           AS u(run_id, job, job_version, team, nominal_time, key, trigger, state, priority, not_before,
                requested_by, event_version, started_at, preclaim_until, buffered)
       ON CONFLICT DO NOTHING RETURNING run_id),
     t AS (
       INSERT INTO ${ctx.t.tasks}
              (run_id, task_id, job, team, priority, status, attempt, not_before, ready_since)
       SELECT u.run_id, u.task_id, u.job, u.team, u.priority, u.status, 1,
              CASE WHEN u.status = 'ready' THEN $24::timestamptz END,
              CASE WHEN u.status = 'ready' THEN $24::timestamptz END
         FROM unnest($18::text[], $19::text[], $20::text[], $21::text[], $22::int[], $23::text[])
           AS u(run_id, task_id, job, team, priority, status)
        WHERE u.run_id IN (SELECT run_id FROM r))
     SELECT run_id FROM r`,
    [
      ctx.o.environment,
      unique.map((x) => x.runId),
      unique.map((x) => x.r.job.name),
      unique.map((x) => x.r.job.version),
      unique.map((x) => x.r.job.manifest.owner),
      unique.map((x) => iso(x.r.nominalMs)),
      unique.map((x) => x.r.idempotencyKey),
      unique.map((x) => x.r.trigger),
      unique.map((x) => (x.start ? 'running' : 'scheduled')),
      unique.map((x) => x.r.job.manifest.priority ?? 50),
      unique.map((x) => iso(x.rowNotBefore)),
      unique.map((x) => x.r.requestedBy ?? null),
      unique.map((x) => (x.start || x.r.buffered ? 2 : 1)),
      unique.map((x) => (x.start ? iso(now) : null)),
      unique.map((x) => (x.preclaimUntil === undefined ? null : iso(x.preclaimUntil))),
      ctx.preclaimOwner,
      unique.map((x) => x.r.buffered === true),
      tasks.map((x) => x.run),
      tasks.map((x) => x.task),
      tasks.map((x) => x.job),
      tasks.map((x) => x.team),
      tasks.map((x) => x.prio),
      tasks.map((x) => x.status),
      iso(now),
    ],
  );
  const created = new Set(inserted.map((i) => i.run_id));
  if (created.size === 0) return created;
  const made = unique.filter((x) => created.has(x.runId));
  if (out.preclaimed)
    for (const x of made)
      if (x.preclaimUntil !== undefined)
        out.preclaimed.push({
          runId: x.runId,
          job: x.r.job,
          nominalMs: x.r.nominalMs,
          notBeforeMs: x.notBefore,
          expiresMs: x.preclaimUntil,
        });
  if (made.some((x) => !x.start)) ctx.admissionDue = true;
  const batch = new RunEventBatch();
  for (const x of made) {
    const m = x.r.job.manifest;
    const ref = ctx.refOf(x.runId, x.r.job, x.r.nominalMs);
    batch.add(
      x.runId,
      {
        type: 'JobRunScheduled',
        data: {
          ...ref,
          trigger: x.r.trigger,
          idempotencyKey: x.r.idempotencyKey,
          environment: ctx.o.environment,
          notBefore: iso(x.notBefore),
          ...(x.r.requestedBy ? { requestedBy: x.r.requestedBy } : {}),
        },
      },
      ctx.actor(x.r.requestedBy),
    );
    if (x.start)
      batch.add(
        x.runId,
        { type: 'JobRunStarted', data: { ...ref, startedAt: iso(now) } },
        ctx.actor(),
      );
    if (x.r.buffered)
      batch.add(
        x.runId,
        {
          type: 'JobRunDeferred',
          data: {
            ...ref,
            reason: BUFFERED,
            detail: `buffered by overlap policy ${m.concurrency?.overlap ?? 'skip'}: waits for an active run to end`,
          },
        },
        ctx.actor(),
      );
    if (x.start && out.started) {
      const initial = initialRunTasks(m);
      out.started.push({
        run: {
          run_id: x.runId,
          job: x.r.job.name,
          job_version: x.r.job.version,
          team: m.owner,
          nominal_time: new Date(x.r.nominalMs),
          state: 'running',
          event_version: batch.count(x.runId),
          started_at: new Date(now),
          cancelled_by: null,
          environment: ctx.o.environment,
        },
        manifest: m,
        ready: m.tasks.filter((task) => initial[task.id]!.status === 'ready'),
      });
    }
  }
  // The runs' first events: awaited here, or sent behind the statements of a pipelined
  // transaction (its COMMIT reports a failure).
  const append = appendStatement(
    ctx.schema,
    made.map((x) => ({
      streamId: jobRunStream(x.runId),
      expectedVersion: 0,
      events: batch.events(x.runId),
    })),
    1,
  )!;
  const statement = { text: append.sql, values: append.values };
  if (out.send) out.send(statement);
  else await client.query(statement);
  return created;
}

/** Skipped and missed slots: a closed run row (the slot key) and its one event. */
export async function insertClosedRuns(
  ctx: RuntimeContext,
  client: PoolClient,
  closed: readonly { run: NewRun; kind: 'skipped' | 'missed'; detail: string }[],
  now: number,
): Promise<void> {
  if (closed.length === 0) return;
  await ctx.manifests.store(
    client,
    closed.map((c) => c.run.job),
  );
  const runIds = closed.map((c) => runIdOf(c.run.idempotencyKey));
  const { rows } = await client.query<{ run_id: string }>(
    `INSERT INTO ${ctx.t.runs} (run_id, job, job_version, team, nominal_time, idempotency_key, trigger,
              environment, state, priority, not_before, event_version, finished_at)
       SELECT u.run_id, u.job, u.job_version, u.team, u.nominal_time, u.key, 'schedule', $1, u.state, 0,
              u.nominal_time, 1, $9
         FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])
           AS u(run_id, job, job_version, team, nominal_time, key, state)
       ON CONFLICT DO NOTHING RETURNING run_id`,
    [
      ctx.o.environment,
      runIds,
      closed.map((c) => c.run.job.name),
      closed.map((c) => c.run.job.version),
      closed.map((c) => c.run.job.manifest.owner),
      closed.map((c) => iso(c.run.nominalMs)),
      closed.map((c) => c.run.idempotencyKey),
      closed.map((c) => c.kind),
      iso(now),
    ],
  );
  const created = new Set(rows.map((r) => r.run_id));
  const batch = new RunEventBatch();
  closed.forEach((c, i) => {
    const runId = runIds[i]!;
    if (!created.delete(runId)) return;
    const ref = ctx.refOf(runId, c.run.job, c.run.nominalMs);
    const event: JobRunEvent =
      c.kind === 'missed'
        ? {
            type: 'JobRunMissed',
            data: {
              ...ref,
              detectedAt: iso(now),
              catchUpSeconds: c.run.job.manifest.catchUpSeconds ?? 0,
            },
          }
        : { type: 'JobRunSkipped', data: { ...ref, reason: 'overlap', detail: c.detail } };
    batch.add(runId, event, ctx.actor());
  });
  await appendInTransaction(
    client,
    ctx.schema,
    batch.runs().map((runId) => ({
      streamId: jobRunStream(runId),
      expectedVersion: 0,
      events: batch.events(runId),
    })),
  );
}
