// What the job-insight queries answer, and the read model's rows as PostgreSQL returns them
// (counts as strings, nulls) mapped to it or to the facts the domain's insight functions take.
import type {
  JobRunCounts,
  SlaCandidate as DomainSlaCandidate,
  SlaCandidateTask,
  TaskAttemptFacts,
  TaskRunFacts,
  TimelineTask,
  ZombieJobFacts,
} from '@trainyard/scheduling-domain';
import type {
  InsightJobRunRow,
  InsightRunSlaRow,
  InsightTaskNode,
} from '@trainyard/scheduling-read-models';

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface TeamQueue {
  readonly team: string;
  /** Runs scheduled or deferred, not started. */
  readonly queued: number;
  /** Of those, past their not-before time. */
  readonly due: number;
  readonly deferred: number;
  readonly running: number;
  readonly runningTasks: number;
  readonly tasksAwaitingRetry: number;
  readonly oldestQueuedSince: string | null;
  /** Start minus not-before, over runs started in the window. */
  readonly waitP50Ms: number | null;
  readonly waitP95Ms: number | null;
  readonly startedInWindow: number;
}

export interface PoolUsage {
  readonly pool: string;
  /** Tasks holding a slot of the pool now (running). */
  readonly holders: number;
  readonly holderJobs: readonly string[];
  /** Sum of task durations that held the pool and finished in the window. */
  readonly busyMs: number;
  readonly tasksInWindow: number;
}

export interface RunTimeline {
  readonly run: InsightJobRunRow;
  readonly sla: InsightRunSlaRow | null;
  readonly tasks: readonly TimelineTask[];
}

/** One active or recently ended run with an SLA: what the SLA watch judges. */
export type SlaCandidate = DomainSlaCandidate<InsightJobRunRow>;

export type Raw = Record<string, unknown>;
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const numOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : Number(v);
export const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const runRow = (r: Raw): InsightJobRunRow => ({
  runId: r['run_id'] as string,
  job: r['job'] as string,
  jobVersion: Number(r['job_version']),
  team: r['team'] as string,
  nominalTime: r['nominal_time'] as string,
  trigger: textOrNull(r['trigger']),
  environment: textOrNull(r['environment']),
  state: r['state'] as InsightJobRunRow['state'],
  notBefore: textOrNull(r['not_before']),
  deferrals: Number(r['deferrals']),
  deferredReason: textOrNull(r['deferred_reason']),
  deferredUntil: textOrNull(r['deferred_until']),
  startedAt: textOrNull(r['started_at']),
  finishedAt: textOrNull(r['finished_at']),
  durationMs: numOrNull(r['duration_ms']),
  outcome: textOrNull(r['outcome']),
  detail: textOrNull(r['detail']),
  version: Number(r['version']),
});

/** A row of the stats query (job-insight.sql.ts jobStatsSql). */
export const jobRunCountsOf = (r: Raw): JobRunCounts => ({
  job: r['job'] as string,
  owner: textOrNull(r['owner']),
  currentVersion: numOrNull(r['current_version']),
  runs: num(r['runs']),
  finished: num(r['finished']),
  succeeded: num(r['succeeded']),
  failed: num(r['failed']),
  cancelled: num(r['cancelled']),
  skipped: num(r['skipped']),
  missed: num(r['missed']),
  active: num(r['active']),
  durationP50Ms: numOrNull(r['p50']),
  durationP95Ms: numOrNull(r['p95']),
  slaMisses: num(r['sla_misses']),
  predictedLate: num(r['predicted_late']),
  lastSuccessAt: textOrNull(r['last_success_at']),
  lastRunAt: textOrNull(r['last_run_at']),
});

/** A row of insight_task_runs. */
export const taskRunFactsOf = (r: Raw): TaskRunFacts => ({
  taskId: r['task_id'] as string,
  state: r['state'] as string,
  attempts: num(r['attempts']),
  firstStartedAt: textOrNull(r['first_started_at']),
  startedAt: textOrNull(r['started_at']),
  finishedAt: textOrNull(r['finished_at']),
  durationMs: numOrNull(r['duration_ms']),
  outcome: textOrNull(r['outcome']),
  worker: textOrNull(r['worker']),
  pools: (r['pools'] as string[] | undefined) ?? [],
  detail: textOrNull(r['detail']),
  history: (r['history'] as TaskAttemptFacts[] | undefined) ?? [],
});

/** A row of insight_run_slas. */
export const runSlaOf = (r: Raw): InsightRunSlaRow => ({
  runId: r['run_id'] as string,
  job: r['job'] as string,
  team: r['team'] as string,
  deadline: r['deadline'] as string,
  predictedFinish: textOrNull(r['predicted_finish']),
  remainingTasks: (r['remaining_tasks'] as string[] | null) ?? null,
  missedDetectedAt: textOrNull(r['missed_detected_at']),
});

/** A row of the team-queue query. */
export const teamQueueOf = (r: Raw): TeamQueue => ({
  team: r['team'] as string,
  queued: num(r['queued']),
  due: num(r['due']),
  deferred: num(r['deferred']),
  running: num(r['running']),
  runningTasks: num(r['running_tasks']),
  tasksAwaitingRetry: num(r['retrying']),
  oldestQueuedSince: textOrNull(r['oldest']),
  waitP50Ms: numOrNull(r['p50']),
  waitP95Ms: numOrNull(r['p95']),
  startedInWindow: num(r['started']),
});

/** A row of the pool-usage query. */
export const poolUsageOf = (r: Raw): PoolUsage => ({
  pool: r['pool'] as string,
  holders: num(r['holders']),
  holderJobs: (r['holder_jobs'] as string[]).slice().sort(),
  busyMs: num(r['busy']),
  tasksInWindow: num(r['finished']),
});

/** A row of the SLA candidates' query: a run with its version's SLA and DAG. */
export const slaCandidateRunOf = (r: Raw): Omit<SlaCandidate, 'tasks'> => ({
  run: runRow(r),
  slaSeconds: Number(r['sla_seconds']),
  dag: r['dag'] as InsightTaskNode[],
  predictedLate: r['predicted_late'] === true,
});

/** A row of the SLA candidates' tasks query. */
export const slaCandidateTaskOf = (r: Raw): SlaCandidateTask & { runId: string } => ({
  runId: r['run_id'] as string,
  taskId: r['task_id'] as string,
  state: r['state'] as string,
  startedAt: textOrNull(r['started_at']),
});

/** A row of the zombie query. */
export const zombieFactsOf = (r: Raw): ZombieJobFacts => ({
  job: r['job'] as string,
  owner: r['owner'] as string,
  definedAt: r['defined_at'] as string,
  // Deprecation is the jobs API's event; until it is folded here every job counts as live.
  deprecated: false,
  ...(typeof r['last_run_at'] === 'string' ? { lastRunAt: r['last_run_at'] } : {}),
  ...(typeof r['last_success_at'] === 'string' ? { lastSuccessAt: r['last_success_at'] } : {}),
});
