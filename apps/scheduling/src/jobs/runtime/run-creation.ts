import type { PoolClient } from 'pg';
import { appendInTransaction, appendStatement } from '@trainyard/event-store';
import {
  initialRunTasks,
  preclaimExpiry,
  startJitterMs,
  type JobRunEvent,
} from '@trainyard/scheduling-domain';
import { RunEventBatch, jobRunStream } from './run-events';
import type { RuntimeContext } from './runtime-context';
import { BUFFERED, iso, NEVER, runIdOf, type NewRun, type PreclaimedRun } from './runtime-records';

/** Creating runs: schedule slots and manual triggers, with their tasks and first events. */

/**
 * Inserts runs ON CONFLICT DO NOTHING (slot key, idempotency key) and, for those inserted, their
 * tasks and JobRunScheduled (+ JobRunStarted when nothing has to admit it first). Returns the
 * run ids inserted. A run asked to be pre-claimed is inserted with this instance's lease, and
 * pushed to `preclaimed` when inserted here (another instance's insert of the slot wins).
 */
export async function insertRuns(
  ctx: RuntimeContext,
  client: PoolClient,
  runs: readonly NewRun[],
  now: number,
  preclaimed?: PreclaimedRun[],
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
  const { rows: inserted } = await client.query<{ run_id: string }>(
    `INSERT INTO ${ctx.t.runs} (run_id, job, job_version, team, nominal_time, idempotency_key, trigger,
              environment, state, priority, not_before, requested_by, event_version, started_at,
              preclaim_owner, preclaim_until)
       SELECT u.run_id, u.job, u.job_version, u.team, u.nominal_time, u.key, u.trigger, $1, u.state,
              u.priority, u.not_before, u.requested_by, u.event_version, u.started_at,
              CASE WHEN u.preclaim_until IS NOT NULL THEN $16 END, u.preclaim_until
         FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[], $7::text[],
                     $8::text[], $9::text[], $10::int[], $11::timestamptz[], $12::text[], $13::int[],
                     $14::timestamptz[], $15::timestamptz[])
           AS u(run_id, job, job_version, team, nominal_time, key, trigger, state, priority, not_before,
                requested_by, event_version, started_at, preclaim_until)
       ON CONFLICT DO NOTHING RETURNING run_id`,
    [
      ctx.o.environment,
      rows.map((x) => x.runId),
      rows.map((x) => x.r.job.name),
      rows.map((x) => x.r.job.version),
      rows.map((x) => x.r.job.manifest.owner),
      rows.map((x) => iso(x.r.nominalMs)),
      rows.map((x) => x.r.idempotencyKey),
      rows.map((x) => x.r.trigger),
      rows.map((x) => (x.start ? 'running' : 'scheduled')),
      rows.map((x) => x.r.job.manifest.priority ?? 50),
      rows.map((x) => iso(x.rowNotBefore)),
      rows.map((x) => x.r.requestedBy ?? null),
      rows.map((x) => (x.start || x.r.buffered ? 2 : 1)),
      rows.map((x) => (x.start ? iso(now) : null)),
      rows.map((x) => (x.preclaimUntil === undefined ? null : iso(x.preclaimUntil))),
      ctx.preclaimOwner,
    ],
  );
  const created = new Set(inserted.map((i) => i.run_id));
  if (created.size === 0) return created;
  if (preclaimed)
    for (const x of rows)
      if (x.preclaimUntil !== undefined && created.has(x.runId))
        preclaimed.push({
          runId: x.runId,
          job: x.r.job,
          nominalMs: x.r.nominalMs,
          notBeforeMs: x.notBefore,
          expiresMs: x.preclaimUntil,
        });
  if (rows.some((x) => !x.start && created.has(x.runId))) ctx.admissionDue = true;
  const batch = new RunEventBatch();
  const t: {
    run: string;
    task: string;
    job: string;
    team: string;
    prio: number;
    status: string;
  }[] = [];
  for (const x of rows) {
    if (!created.has(x.runId)) continue;
    created.delete(x.runId); // a repeated key inside one batch inserts once
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
    const initial = initialRunTasks(m);
    for (const task of m.tasks)
      t.push({
        run: x.runId,
        task: task.id,
        job: m.name,
        team: m.owner,
        prio: m.priority ?? 50,
        status: x.start ? initial[task.id]!.status : 'pending',
      });
  }
  const ids = batch.runs();
  const buffered = rows.filter((x) => x.r.buffered && ids.includes(x.runId)).map((x) => x.runId);
  if (buffered.length > 0)
    await client.query(
      `UPDATE ${ctx.t.runs} SET deferred_reason = '${BUFFERED}' WHERE run_id = ANY($1::text[])`,
      [buffered],
    );
  // The tasks and the runs' first events in one statement (a round trip less for every trigger,
  // each one a wait for the CPU when a flood keeps the machine busy).
  const append = appendStatement(
    ctx.schema,
    ids.map((runId) => ({
      streamId: jobRunStream(runId),
      expectedVersion: 0,
      events: batch.events(runId),
    })),
    8,
  );
  await client.query(
    `${append ? `WITH ev AS (${append.sql}) ` : ''}INSERT INTO ${ctx.t.tasks}
            (run_id, task_id, job, team, priority, status, attempt, not_before, ready_since)
       SELECT u.run_id, u.task_id, u.job, u.team, u.priority, u.status, 1,
              CASE WHEN u.status = 'ready' THEN $7::timestamptz END, CASE WHEN u.status = 'ready' THEN $7::timestamptz END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[])
           AS u(run_id, task_id, job, team, priority, status)`,
    [
      t.map((x) => x.run),
      t.map((x) => x.task),
      t.map((x) => x.job),
      t.map((x) => x.team),
      t.map((x) => x.prio),
      t.map((x) => x.status),
      iso(now),
      ...(append?.values ?? []),
    ],
  );
  return new Set(ids);
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
