import type { RunTree, RunView, TaskRunView } from '../runtime/job-run.queries';

/** Finished minus started in ms; 0 until both are known. */
export const durationMs = (startedAt?: string, finishedAt?: string): number =>
  startedAt && finishedAt ? Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)) : 0;

/** A task run as served (gRPC and REST): absent text as '', the duration computed. */
export const taskRunOut = (t: TaskRunView) => ({
  taskId: t.taskId,
  status: t.status,
  attempt: t.attempt,
  outcome: t.outcome ?? '',
  dependsOn: [...t.dependsOn],
  startedAt: t.startedAt ?? '',
  finishedAt: t.finishedAt ?? '',
  durationMs: durationMs(t.startedAt, t.finishedAt),
  ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
  ...(t.httpStatus !== undefined ? { httpStatus: t.httpStatus } : {}),
  detail: t.detail ?? '',
  leaseOwner: t.leaseOwner ?? '',
});

/** A run as served; `tasks` only for a run tree. */
export const runOut = (r: RunView | RunTree) => ({
  runId: r.runId,
  job: r.job,
  jobVersion: r.jobVersion,
  team: r.team,
  nominalTime: r.nominalTime,
  trigger: r.trigger,
  state: r.state,
  outcome: r.outcome ?? '',
  idempotencyKey: r.idempotencyKey,
  startedAt: r.startedAt ?? '',
  finishedAt: r.finishedAt ?? '',
  durationMs: durationMs(r.startedAt, r.finishedAt),
  cancelledBy: r.cancelledBy ?? '',
  tasks: 'tasks' in r ? r.tasks.map(taskRunOut) : [],
});
