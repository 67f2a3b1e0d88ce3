import { appendInTransaction } from '@trainyard/event-store';
import { slotVerdict, type JobManifest } from '@trainyard/scheduling-domain';
import { RunEventBatch, jobRunStream } from './run-events';
import type { RuntimeContext } from './runtime-context';
import { iso, QUEUE_BEGIN, type RunRow } from './runtime-records';

/** Admission: the run gate and backpressure decide which scheduled runs start now. */

/**
 * Runs whose start time came: the run gate (maintenance, freeze) and backpressure decide; open
 * runs start (roots ready), paused or held-back runs are deferred (JobRunDeferred once per
 * reason), blocked ones skipped (JobRunSkipped 'freeze'). A run pre-claimed by an instance is
 * passed over while its lease lasts (its holder starts it from memory) and taken over once it has
 * expired (the holder died or stalled): it starts late (JobRunStarted says when), or is recorded
 * as missed when it is now later than the job's catch-up window, as the tick decides a slot found
 * late. Returns the wait until the next start.
 */
export async function admitDueRuns(ctx: RuntimeContext): Promise<number | undefined> {
  const now = ctx.o.clock();
  let started = 0;
  await ctx.transaction(async (client) => {
    const { rows } = await client.query<
      RunRow & { deferred_reason: string | null; preclaim_owner: string | null }
    >(
      `SELECT run_id, job, job_version, team, nominal_time, state, event_version, started_at,
                cancelled_by, deferred_reason, preclaim_owner
           FROM ${ctx.t.runs} WHERE state = 'scheduled' AND not_before <= $1
            AND (preclaim_until IS NULL OR preclaim_until <= $1)
          ORDER BY not_before LIMIT 500 FOR UPDATE SKIP LOCKED`,
      [iso(now)],
    );
    if (rows.length === 0) return;
    const batch = new RunEventBatch();
    const open: { run: RunRow; manifest: JobManifest }[] = [];
    const defer: { runId: string; until: number; reason: string }[] = [];
    const blocked: string[] = [];
    const missed: string[] = [];
    await ctx.manifests.load(rows);
    for (const run of rows) {
      const manifest = await ctx.manifests.of(run.job, run.job_version);
      const ref = ctx.rowRef(run);
      if (
        run.preclaim_owner !== null &&
        slotVerdict(
          now - run.nominal_time.getTime(),
          manifest.catchUpSeconds ?? 0,
          ctx.o.onTimeGraceMs,
        ).kind === 'missed'
      ) {
        missed.push(run.run_id);
        batch.add(
          run.run_id,
          {
            type: 'JobRunMissed',
            data: { ...ref, detectedAt: iso(now), catchUpSeconds: manifest.catchUpSeconds ?? 0 },
          },
          ctx.actor(),
        );
        continue;
      }
      const gate =
        ctx.options.gate && (manifest.components?.length ?? 0) > 0
          ? await ctx.options.gate.check(manifest.components!, iso(now))
          : { kind: 'open' as const };
      let deferred:
        { reason: 'maintenance' | 'backpressure'; detail: string; until: number } | undefined;
      if (gate.kind === 'block') {
        blocked.push(run.run_id);
        batch.add(
          run.run_id,
          { type: 'JobRunSkipped', data: { ...ref, reason: 'freeze', detail: gate.reason } },
          ctx.actor(),
        );
        continue;
      }
      if (gate.kind === 'pause')
        deferred = { reason: 'maintenance', detail: gate.reason, until: Date.parse(gate.until) };
      else if (ctx.options.backpressure && (manifest.backpressure?.length ?? 0) > 0) {
        const held = await ctx.options.backpressure.holdBack(manifest);
        if (held) deferred = { reason: 'backpressure', detail: held, until: now + ctx.o.deferMs };
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
            ctx.actor(),
          );
        continue;
      }
      open.push({ run, manifest });
      batch.add(
        run.run_id,
        { type: 'JobRunStarted', data: { ...ref, startedAt: iso(now) } },
        ctx.actor(),
      );
    }
    const states = new Map<string, string>();
    for (const { run } of open) states.set(run.run_id, 'running');
    for (const id of blocked) states.set(id, 'skipped');
    for (const id of missed) states.set(id, 'missed');
    const ids = rows.map((r) => r.run_id);
    await client.query(
      `UPDATE ${ctx.t.runs} r
            SET state = coalesce(u.state, r.state),
                not_before = coalesce(u.until, r.not_before),
                deferred_reason = coalesce(u.reason, r.deferred_reason),
                started_at = CASE WHEN u.state = 'running' THEN $6::timestamptz ELSE r.started_at END,
                finished_at = CASE WHEN u.state IN ('skipped', 'missed') THEN $6::timestamptz ELSE r.finished_at END,
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
        `UPDATE ${ctx.t.tasks} t SET status = 'ready', not_before = $3, ready_since = $3
             FROM unnest($1::text[], $2::text[]) AS u(run_id, task_id)
            WHERE t.run_id = u.run_id AND t.task_id = u.task_id AND t.status = 'pending'`,
        [roots.map((r) => r[0]), roots.map((r) => r[1]), iso(now)],
      );
    if (blocked.length > 0)
      await client.query(
        `UPDATE ${ctx.t.tasks} SET status = 'done', outcome = 'skipped', detail = 'run skipped: freeze'
            WHERE run_id = ANY($1::text[])`,
        [blocked],
      );
    if (missed.length > 0)
      await client.query(
        `UPDATE ${ctx.t.tasks} SET status = 'done', outcome = 'skipped', detail = 'run missed: its pre-claim expired past the catch-up window'
            WHERE run_id = ANY($1::text[])`,
        [missed],
      );
    const versions = new Map(rows.map((r) => [r.run_id, r.event_version]));
    await appendInTransaction(
      client,
      ctx.schema,
      batch.runs().map((runId) => ({
        streamId: jobRunStream(runId),
        expectedVersion: versions.get(runId)!,
        events: batch.events(runId),
      })),
    );
    started = open.length;
  }, QUEUE_BEGIN);
  if (started > 0) {
    ctx.readyMaybe = true;
    ctx.afterCommit({ ready: true });
  }
  // A pre-claimed run is admission's only once its lease has expired.
  const { rows } = await ctx.pool.query<{ next: Date | null }>(
    `SELECT min(greatest(not_before, preclaim_until)) AS next FROM ${ctx.t.runs} WHERE state = 'scheduled'`,
  );
  const next = rows[0]?.next?.getTime();
  return next === undefined ? ctx.o.idleMs : Math.max(0, next - ctx.o.clock());
}
