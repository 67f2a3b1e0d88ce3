import type { DispatchCandidate, DispatchPolicy, JobManifest } from '@trainyard/scheduling-domain';
import { iso, type StartedRun } from './runtime-records';
import type { TaskStart } from './task-claims';

/**
 * Which of a trigger's own new tasks start in the `held` headroom workers it reserved: the
 * policy's round over those tasks alone, every start in the headroom, so only a team below its
 * share starts there. Other runs' ready tasks are never candidates: they are the dispatcher's,
 * which may be locking them right now (a trigger that chose one got nothing under SKIP LOCKED, and
 * its own run waited for the next dispatcher round), and a team tied with the trigger's below its
 * share (both at 0 running between two rounds of a flood) must not take the worker from the run
 * the trigger just inserted.
 *
 * The shares divide the instance's `concurrency` (or what runs, if more): a round of the
 * dispatcher counts its free workers as its capacity, and so does this one, which only starts
 * fewer of them. Counted with the headroom alone, a team running one task on an otherwise idle
 * instance was over its share, and its next run waited for the dispatcher.
 */
export function headroomStarts(
  policy: DispatchPolicy,
  started: readonly StartedRun[],
  runningByTeam: Readonly<Record<string, number>>,
  concurrency: number,
  held: number,
  now: number,
): TaskStart[] {
  const starts = new Map<string, TaskStart>();
  for (const s of started)
    for (const task of s.ready)
      starts.set(`${s.run.run_id}/${task.id}`, { ...s, task, attempt: 1 });
  if (starts.size === 0 || held <= 0) return [];
  const readySince = iso(now);
  const chosen = chooseInHeadroom(
    policy,
    [...starts].map(([taskRunId, s]) => ({
      taskRunId,
      runId: s.run.run_id,
      job: s.run.job,
      team: s.run.team,
      priority: s.manifest.priority ?? 50,
      criticality: s.manifest.criticality,
      pools: s.task.pools ?? [],
      readySince,
    })),
    runningByTeam,
    concurrency,
    held,
    readySince,
  );
  return chosen.slice(0, held).map((c) => starts.get(c.taskRunId)!);
}

/**
 * Whether a trigger's new runs are likely to start in the headroom: the same round as
 * headroomStarts over their first tasks, with the load this instance last read (`lastLoad`)
 * instead of the trigger's own read, which answers only once the transaction is under way. A
 * likely start is given priority over the dispatcher and the flush (PriorityStarts) from its
 * first statement on; the trigger still decides over its own read. Never for a task that takes
 * pool slots: its slot rows may be locked by a transaction that gives way to it.
 */
export function likelyHeadroomStart(
  policy: DispatchPolicy,
  runs: readonly { readonly runId: string; readonly job: string; readonly manifest: JobManifest }[],
  lastLoad: Readonly<Record<string, number>>,
  concurrency: number,
  now: number,
): boolean {
  const readySince = iso(now);
  const candidates: DispatchCandidate[] = [];
  for (const r of runs)
    for (const task of r.manifest.tasks) {
      if (task.dependsOn.length > 0) continue;
      if ((task.pools?.length ?? 0) > 0) return false;
      candidates.push({
        taskRunId: `${r.runId}/${task.id}`,
        runId: r.runId,
        job: r.job,
        team: r.manifest.owner,
        priority: r.manifest.priority ?? 50,
        criticality: r.manifest.criticality,
        pools: [],
        readySince,
      });
    }
  return (
    candidates.length > 0 &&
    chooseInHeadroom(policy, candidates, lastLoad, concurrency, 1, readySince).length > 0
  );
}

/** The policy's round with every start in the headroom (only teams below their share). */
function chooseInHeadroom(
  policy: DispatchPolicy,
  candidates: readonly DispatchCandidate[],
  runningByTeam: Readonly<Record<string, number>>,
  concurrency: number,
  held: number,
  now: string,
): DispatchCandidate[] {
  let running = 0;
  for (const n of Object.values(runningByTeam)) running += Math.max(0, n);
  const capacity = Math.max(held, concurrency - running);
  return policy.choose(candidates, {
    runningByTeam,
    freePoolSlots: {},
    capacity,
    headroom: capacity,
    now,
  });
}
