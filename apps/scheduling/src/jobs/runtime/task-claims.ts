import type { PoolClient, QueryConfig } from 'pg';
import {
  taskKeyOf,
  type DispatchCandidate,
  type JobManifest,
  type JobTask,
} from '@trainyard/scheduling-domain';
import { priorityThenAge } from './default-dispatch-policy';
import type { Pipeline } from './pipeline';
import { RunEventBatch } from './run-events';
import type { RuntimeContext } from './runtime-context';
import { iso, type Claimed, type RunRow } from './runtime-records';
import { runningWrite, tasksAndRunsWrite } from './task-writes';

/** Claiming ready tasks for this instance's free workers: the queue read, pool slots, TaskRunStarted. */

/**
 * The head of every team's queue (a skip scan over job_task_runs_ready_team_idx), not the
 * oldest overall: under a flood from one team, another team's ready tasks must be candidates.
 * Each team's head is read as a range over team ordered by team first: with `team = $x` the
 * planner drops team from the order and, estimating a team at 1/n of the ready rows, may walk
 * job_task_runs_ready_idx (priority, age) filtering on team instead, through the whole flood to
 * reach a light team's task (25,000 rows and 22–43 ms per dispatch with a 50,000-task flood,
 * against 0.2 ms through the team index).
 * Parameters: $1 the time ready tasks must be due by, $2 the candidates per team.
 */
export const teamHeadsSql = (tasks: string, runs: string): string =>
  `WITH RECURSIVE teams AS (
       (SELECT team FROM ${tasks} WHERE status = 'ready' ORDER BY team LIMIT 1)
       UNION ALL
       SELECT (SELECT t.team FROM ${tasks} t
                WHERE t.status = 'ready' AND t.team > teams.team ORDER BY t.team LIMIT 1)
         FROM teams WHERE teams.team IS NOT NULL
     )
     SELECT c.* FROM teams CROSS JOIN LATERAL (
       SELECT t.run_id, t.task_id, t.job, r.job_version, t.team, t.priority, t.ready_since
         FROM ${tasks} t JOIN ${runs} r ON r.run_id = t.run_id
        WHERE t.status = 'ready' AND t.team >= teams.team AND t.team <= teams.team
          AND t.not_before <= $1
        ORDER BY t.team, t.priority DESC, t.ready_since LIMIT $2
     ) c WHERE teams.team IS NOT NULL`;

/**
 * A policy round's settings and what it saw: `headroom` of the free workers only for teams below
 * their share (DispatchLoad.headroom); `passedOver` the candidates it read and did not choose.
 * `reserveHeadroom`: reserves the headroom's workers free right now, once the candidates are read;
 * the policy gives them only to teams below their share, and those it did not give are returned
 * at once; `extra` says how many the round kept (the caller releases them with its own).
 */
export interface ClaimRound {
  headroom: number;
  passedOver: number;
  extra: number;
  reserveHeadroom?: () => number;
}

export async function claim(
  ctx: RuntimeContext,
  client: PoolClient,
  free: number,
  now: number,
  round: ClaimRound = { headroom: 0, passedOver: 0, extra: 0 },
): Promise<Claimed[]> {
  type Row = RunRow & {
    task_id: string;
    attempt: number;
    priority: number;
    ready_since: Date;
    environment: string;
  };
  // Task and run rows locked together, SKIP LOCKED: a run another transaction is writing (its
  // event version) is passed over now and picked up when that commit wakes us.
  const columns = `t.run_id, t.task_id, t.attempt, t.priority, t.ready_since, r.job, r.job_version,
      r.team, r.nominal_time, r.state, r.event_version, r.started_at, r.cancelled_by, r.environment`;
  let rows: Row[];
  if (ctx.policy === priorityThenAge) {
    rows = (
      await client.query<Row>(
        ctx.named(
          'claim',
          `SELECT ${columns} FROM ${ctx.t.tasks} t JOIN ${ctx.t.runs} r ON r.run_id = t.run_id
            WHERE t.status = 'ready' AND t.not_before <= $1
            ORDER BY t.priority DESC, t.ready_since LIMIT $2 FOR UPDATE OF t, r SKIP LOCKED`,
          [iso(now), free],
        ),
      )
    ).rows;
    // Full: more may be ready. Short: none left, or skipped as locked by a claim in flight.
    ctx.readyMaybe = rows.length >= free;
  } else {
    rows = await claimByPolicy(ctx, client, free, now, columns, round);
  }
  if (rows.length === 0) return [];
  const runBy = new Map<string, Row>();
  for (const row of rows) runBy.set(row.run_id, row);
  await ctx.manifests.load(rows);
  const starts: TaskStart[] = [];
  for (const row of rows) {
    const run = runBy.get(row.run_id)!;
    if (run.state !== 'running') continue;
    const manifest = await ctx.manifests.of(run.job, run.job_version);
    const task = manifest.tasks.find((t) => t.id === row.task_id);
    if (task) starts.push({ run, manifest, task, attempt: row.attempt });
  }
  const { claimed, write } = await startTasks(ctx, client, starts, now);
  if (write) await client.query(write);
  await ctx.priority.giveWay();
  // Their runs' events move on: a snapshot the flush kept of one is out of date.
  ctx.snapshots.forget(claimed.map((c) => c.run.run_id));
  return claimed;
}

/** A task of a locked running run (or one this transaction inserted) to start here. */
export interface TaskStart {
  readonly run: RunRow & { environment: string };
  readonly manifest: JobManifest;
  readonly task: JobTask;
  readonly attempt: number;
}

/**
 * Starts these tasks in the caller's transaction: pool slots (a task without them stays ready),
 * then the write the caller sends (TaskRunStarted, the rows marked running under this instance's
 * lease; undefined when none started).
 */
export async function startTasks(
  ctx: RuntimeContext,
  client: PoolClient,
  starts: readonly TaskStart[],
  now: number,
): Promise<{ claimed: Claimed[]; write: QueryConfig | undefined }> {
  const batch = new RunEventBatch();
  const claimed: Claimed[] = [];
  const versionOf = new Map<string, number>();
  for (const s of starts) {
    const c = await startClaim(ctx, client, s.run, s.manifest, s.task, s.attempt, now, batch);
    if (!c) continue;
    claimed.push(c);
    versionOf.set(s.run.run_id, s.run.event_version);
  }
  const write = tasksAndRunsWrite(
    ctx,
    claimed.map((c) => runningWrite(ctx, c, now)),
    batch,
    new Map(),
    now,
    (id) => versionOf.get(id)!,
  );
  return { claimed, write };
}

/** Tasks running per team, on every instance (the fair-share policy's load). */
export async function runningByTeam(
  ctx: RuntimeContext,
  client: Pick<Pipeline, 'query'>,
): Promise<Record<string, number>> {
  const { rows } = await client.query<{ team: string; n: number }>(
    `SELECT team, count(*)::int AS n FROM ${ctx.t.tasks} WHERE status = 'running' GROUP BY team`,
  );
  return Object.fromEntries(rows.map((l) => [l.team, l.n]));
}

export async function claimByPolicy<Row extends { run_id: string; task_id: string }>(
  ctx: RuntimeContext,
  client: PoolClient,
  free: number,
  now: number,
  columns: string,
  round: ClaimRound = { headroom: 0, passedOver: 0, extra: 0 },
): Promise<Row[]> {
  type Candidate = {
    run_id: string;
    task_id: string;
    job: string;
    job_version: number;
    team: string;
    priority: number;
    ready_since: Date;
  };
  const { rows: candidates } = await client.query<Candidate>(
    teamHeadsSql(ctx.t.tasks, ctx.t.runs),
    [iso(now), Math.max(1, free + (round.reserveHeadroom ? ctx.headroom : 0)) * 4],
  );
  // After each answer: a below-share team's start in flight here goes first (PriorityStarts).
  await ctx.priority.giveWay();
  if (candidates.length === 0) return [];
  const running = await runningByTeam(ctx, client);
  ctx.lastLoad = running;
  await ctx.priority.giveWay();
  const list: DispatchCandidate[] = [];
  await ctx.manifests.load(candidates);
  for (const c of candidates) {
    const m = await ctx.manifests.of(c.job, c.job_version);
    list.push({
      taskRunId: `${c.run_id}/${c.task_id}`,
      runId: c.run_id,
      job: c.job,
      team: c.team,
      priority: c.priority,
      criticality: m.criticality,
      pools: m.tasks.find((t) => t.id === c.task_id)?.pools ?? [],
      readySince: c.ready_since.toISOString(),
    });
  }
  const extra = round.reserveHeadroom?.() ?? 0;
  const chosen = ctx.policy.choose(list, {
    runningByTeam: running,
    freePoolSlots: {},
    capacity: free + extra,
    headroom: round.headroom + extra,
    now: iso(now),
  });
  const picked = chosen.slice(0, free + extra);
  round.extra = Math.max(0, Math.min(extra, picked.length - free));
  ctx.workers.release(extra - round.extra, false);
  round.passedOver = candidates.length - picked.length;
  const wanted = picked.map((c) => c.taskRunId);
  // Each chosen row looked up by its key (a subquery that locks is never flattened into a join):
  // as a semi-join against the chosen keys, with the queue tables' statistics not yet taken, the
  // planner hashed the keys and walked the whole ready index (15,000–17,000 rows and 15–25 ms per
  // claim under a 20,000-run flood, work proportional to the backlog).
  const { rows } = await client.query<Row>(
    ctx.named(
      'claimchosen',
      `SELECT ${columns} FROM unnest($1::text[], $2::text[]) AS w(run_id, task_id)
         CROSS JOIN LATERAL (
           SELECT * FROM ${ctx.t.tasks} t
            WHERE t.run_id = w.run_id AND t.task_id = w.task_id AND t.status = 'ready'
              FOR UPDATE SKIP LOCKED) t
         CROSS JOIN LATERAL (
           SELECT * FROM ${ctx.t.runs} r WHERE r.run_id = w.run_id FOR UPDATE SKIP LOCKED) r`,
      [picked.map((c) => c.runId), picked.map((c) => c.taskRunId.slice(c.runId.length + 1))],
    ),
  );
  await ctx.priority.giveWay();
  const order = new Map(wanted.map((w, i) => [w, i]));
  return rows.sort(
    (a, b) => order.get(`${a.run_id}/${a.task_id}`)! - order.get(`${b.run_id}/${b.task_id}`)!,
  );
}

/** Pool slots (all or none) and TaskRunStarted for one task this instance is about to run. */
export async function startClaim(
  ctx: RuntimeContext,
  client: PoolClient,
  run: RunRow & { environment: string },
  manifest: JobManifest,
  task: JobTask,
  attempt: number,
  now: number,
  batch: RunEventBatch,
): Promise<Claimed | undefined> {
  const taskKey = taskKeyOf(run.run_id, task.id);
  const holder = `${taskKey}#${attempt}`;
  let fencingTokens: Readonly<Record<string, number>> = {};
  const pooled = (task.pools?.length ?? 0) > 0 && ctx.options.poolSlots !== undefined;
  if (pooled) {
    const tokens = await ctx.options.poolSlots.tryAcquire(
      task.pools!,
      holder,
      ctx.o.leaseMs,
      client,
    );
    if (!tokens) return undefined; // stays ready; the pool's release wakes the dispatcher
    fencingTokens = tokens;
  }
  batch.add(
    run.run_id,
    {
      type: 'TaskRunStarted',
      data: {
        ...ctx.rowRef(run),
        taskId: task.id,
        attempt,
        taskKey,
        worker: ctx.o.instanceId,
        startedAt: iso(now),
        fencingTokens,
      },
    },
    ctx.actor(),
  );
  return { run, manifest, task, attempt, taskKey, holder, pooled, fencingTokens };
}
