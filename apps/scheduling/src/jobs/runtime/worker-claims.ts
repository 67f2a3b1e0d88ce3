import type { QueryConfig } from 'pg';
import { insertRuns } from './run-creation';
import type { RuntimeContext } from './runtime-context';
import { headroomStarts, likelyHeadroomStart } from './headroom-starts';
import {
  QUEUE_BEGIN,
  runIdOf,
  type Claimed,
  type NewRun,
  type StartedRun,
} from './runtime-records';
import { claim, runningByTeam, startTasks, type ClaimRound } from './task-claims';

/**
 * Claims with this instance's workers (WorkerSlots): each round reserves workers before it
 * claims and gives back what it did not use. The dispatcher's round keeps the fair-share headroom
 * free (and takes it, once it read the candidates, only for teams below their share); a trigger's
 * transaction starts its own new runs' tasks in the headroom.
 */

/** The dispatcher's round; undefined when every worker is busy (a finishing task wakes it). */
export async function dispatchRound(
  ctx: RuntimeContext,
  now: number,
): Promise<{ readonly claimed: Claimed[]; readonly held: number } | undefined> {
  const free = ctx.workers.reserve(ctx.o.concurrency, ctx.headroom);
  if (free === 0 && (ctx.headroom === 0 || ctx.workers.free === 0)) return undefined;
  const round: ClaimRound = { headroom: 0, passedOver: 0, extra: 0 };
  if (ctx.headroom > 0) round.reserveHeadroom = () => ctx.workers.reserve(ctx.headroom);
  let claimed: Claimed[];
  try {
    claimed = await ctx.transaction((client) => {
      // A retried transaction starts over: the headroom it kept goes back first.
      ctx.workers.release(round.extra, false);
      round.extra = 0;
      return claim(ctx, client, free, now, round);
    }, QUEUE_BEGIN);
  } catch (error) {
    ctx.workers.release(free + round.extra);
    throw error;
  }
  const held = free + round.extra;
  // Short of ready work, not of workers: nobody waits for the ones given back.
  if (claimed.length < held) ctx.workers.returnUnused(held - claimed.length);
  return { claimed, held };
}

/**
 * Inserts manual runs and, with headroom, starts their ready tasks in the same transaction when
 * their team is below its share and a worker is free (see headroomStarts): a light team's run
 * does not wait behind the dispatcher's round for another team's flood. Pipelined: BEGIN, the
 * load the policy reads and the runs' and tasks' INSERT go out together, then the runs' events,
 * the start and COMMIT: two round trips, each a wait for this process's event loop and for the
 * CPU when a flood keeps both busy. `tookAll`: every task these runs made ready started here.
 */
export async function insertRunsInHeadroom(
  ctx: RuntimeContext,
  runs: readonly NewRun[],
  now: number,
  draining: boolean,
): Promise<{ created: Set<string>; claimed: Claimed[]; tookAll: boolean }> {
  let held = 0;
  let claimed: Claimed[] = [];
  let ready = 0;
  const claims = ctx.headroom > 0 && !draining;
  // Likely to start in the headroom (its team below its share): the dispatcher and the flush give
  // way to it until it commits (PriorityStarts).
  const priority =
    claims &&
    likelyHeadroomStart(
      ctx.policy,
      runs.map((r) => ({
        runId: runIdOf(r.idempotencyKey),
        job: r.job.name,
        manifest: r.job.manifest,
      })),
      ctx.lastLoad,
      ctx.o.concurrency,
      now,
    );
  let endPriority: (() => void) | undefined;
  let created: Set<string>;
  try {
    created = await ctx.pipelinedTransaction(async (tx) => {
      // Only once it holds its connection: a flush giving way to it may hold one of them.
      if (priority) endPriority ??= ctx.priority.begin();
      claimed = [];
      // Sent now, behind BEGIN and ahead of the inserts: it needs no answer before them.
      const load = claims ? runningByTeam(ctx, tx) : undefined;
      load?.catch(() => undefined); // its failure fails the inserts too, and is what is reported
      const started: StartedRun[] = [];
      const send = (statement: QueryConfig) => tx.send(statement);
      const inserted = await insertRuns(ctx, tx.client, runs, now, { started, send });
      ready = started.reduce((n, s) => n + s.ready.length, 0);
      if (ready === 0 || !load) return inserted;
      if (held === 0) held = ctx.workers.reserve(ctx.headroom);
      if (held === 0) return inserted;
      // Started now: the run's rows are in (the dispatcher's claims read the clock before theirs).
      const startedAt = ctx.o.clock();
      const running = await load;
      ctx.lastLoad = running;
      const starts = headroomStarts(
        ctx.policy,
        started,
        running,
        ctx.o.concurrency,
        held,
        startedAt,
      );
      const start = await startTasks(ctx, tx.client, starts, startedAt);
      claimed = start.claimed;
      if (start.write) tx.send(start.write); // COMMIT follows it in the same round trip
      return inserted;
    });
  } catch (error) {
    ctx.workers.release(held);
    throw error;
  } finally {
    endPriority?.();
  }
  ctx.workers.release(held - claimed.length);
  return { created, claimed, tookAll: claimed.length === ready };
}

/**
 * Ms until the earliest ready task's retry time; idleMs when one is ready now but was not claimed
 * (locked by another instance, or waiting for a pool slot: a commit anywhere wakes the dispatcher
 * by NOTIFY, the idle check is only the fallback) or when none is ready.
 */
export async function nextReadyIn(ctx: RuntimeContext): Promise<number> {
  const { rows } = await ctx.pool.query<{ next: Date | null }>(
    `SELECT min(not_before) AS next FROM ${ctx.t.tasks} WHERE status = 'ready'`,
  );
  const next = rows[0]?.next?.getTime();
  const now = ctx.o.clock();
  return next === undefined || next <= now ? ctx.o.idleMs : next - now;
}
