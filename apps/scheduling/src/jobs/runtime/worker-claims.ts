import { insertRuns } from './run-creation';
import type { RuntimeContext } from './runtime-context';
import { QUEUE_BEGIN, type Claimed, type NewRun } from './runtime-records';
import { claim, type ClaimRound } from './task-claims';

/**
 * Claims with this instance's workers (WorkerSlots): each round reserves workers before it
 * claims and gives back what it did not use. The dispatcher's round keeps the fair-share headroom
 * free (and takes it, once it read the candidates, only for teams below their share); a trigger's
 * transaction starts its new runs' tasks in the headroom.
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
 * Inserts manual runs and, with headroom, starts their tasks in the same transaction when their
 * team is below its share and a worker is free (the headroom's round without a round trip of its
 * own): a light team's run does not wait behind the dispatcher's round for another team's flood.
 * `tookAll`: nothing ready is left for the dispatcher by this transaction.
 */
export async function insertRunsInHeadroom(
  ctx: RuntimeContext,
  runs: readonly NewRun[],
  now: number,
  draining: boolean,
): Promise<{ created: Set<string>; claimed: Claimed[]; tookAll: boolean }> {
  let held = 0;
  let claimed: Claimed[] = [];
  const round: ClaimRound = { headroom: 0, passedOver: 0, extra: 0 };
  let created: Set<string>;
  try {
    created = await ctx.transaction(
      async (client) => {
        claimed = [];
        const inserted = await insertRuns(ctx, client, runs, now);
        if (inserted.size === 0 || ctx.headroom === 0 || draining) return inserted;
        if (held === 0) held = ctx.workers.reserve(ctx.headroom);
        if (held === 0) return inserted;
        Object.assign(round, { headroom: held, passedOver: 0 });
        claimed = await claim(ctx, client, held, ctx.o.clock(), round);
        return inserted;
      },
      ctx.headroom > 0 ? QUEUE_BEGIN : 'BEGIN',
    );
  } catch (error) {
    ctx.workers.release(held);
    throw error;
  }
  ctx.workers.release(held - claimed.length);
  return { created, claimed, tookAll: claimed.length > 0 && round.passedOver === 0 };
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
