import { Inject, Injectable } from '@nestjs/common';
import { assertSchemaName } from '@trainyard/event-store';
import { NotFoundError, ValidationError, type Clock } from '@trainyard/kernel';
import { CLOCK } from '@trainyard/platform';
import {
  JOB_NAME,
  MAX_ZOMBIE_DAYS,
  detectZombies,
  taskDepths,
  type ZombieFinding,
} from '@trainyard/scheduling-domain';
import type {
  InsightJobRunRow,
  InsightRunSlaRow,
  InsightTaskAttempt,
  InsightTaskNode,
} from '@trainyard/scheduling-read-models';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';
import { JOB_INSIGHTS_CONFIG, type JobInsightsConfig } from './job-insights.config';

const DAY_MS = 86_400_000;
export const INSIGHT_MAX_PAGE_SIZE = 200;
export const INSIGHT_DEFAULT_WINDOW_DAYS = 30;
const TEAM = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Run ids are the runtime's (derived from `<job>@<nominal time>`): printable, bounded.
const RUN_ID = /^[\x21-\x7e]{1,300}$/;

/** How each transport names the fields, so a refusal names the caller's field. */
export interface InsightFieldNames {
  readonly job: string;
  readonly team: string;
  readonly runId: string;
  readonly sinceDays: string;
  readonly days: string;
  readonly page: string;
  readonly pageSize: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface JobStats {
  readonly job: string;
  readonly owner: string | null;
  readonly currentVersion: number | null;
  readonly windowDays: number;
  readonly runs: number;
  readonly finished: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly skipped: number;
  readonly missed: number;
  /** failed / finished in the window; null without finished runs. */
  readonly failureRate: number | null;
  /** Nearest-rank percentiles of the succeeded runs' durations in the window. */
  readonly durationP50Ms: number | null;
  readonly durationP95Ms: number | null;
  readonly slaMisses: number;
  readonly predictedLate: number;
  readonly lastSuccessAt: string | null;
  readonly lastRunAt: string | null;
  readonly activeRuns: number;
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

export interface TimelineTask {
  readonly taskId: string;
  readonly dependsOn: readonly string[];
  /** Tasks that depend on it: the tree's children. */
  readonly children: readonly string[];
  /** Longest dependency chain above it (roots 0): the tree's indentation. */
  readonly depth: number;
  readonly state: string;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  /** From the run's start to the task's first start. */
  readonly startOffsetMs: number | null;
  readonly outcome: string | null;
  readonly worker: string | null;
  readonly pools: readonly string[];
  readonly detail: string | null;
  readonly history: readonly InsightTaskAttempt[];
}

export interface RunTimeline {
  readonly run: InsightJobRunRow;
  readonly sla: InsightRunSlaRow | null;
  readonly tasks: readonly TimelineTask[];
}

/** One active or recently ended run with an SLA: what the SLA watch judges. */
export interface SlaCandidate {
  readonly run: InsightJobRunRow;
  readonly slaSeconds: number;
  readonly dag: readonly InsightTaskNode[];
  readonly predictedLate: boolean;
  readonly tasks: readonly { taskId: string; state: string; startedAt: string | null }[];
}

type Raw = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const runRow = (r: Raw): InsightJobRunRow => ({
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

/**
 * The job-insight read model's queries (issue 12, items 5 and 7), shared by gRPC, REST, the SLA
 * watch and the zombie report. Aggregates are computed from the stored rows when asked, over a
 * window of days, so p50/p95 are exact nearest-rank percentiles (`percentile_disc`) of the stored
 * durations.
 */
@Injectable()
export class JobInsightQueries {
  private readonly s: string;

  constructor(
    private readonly readSide: SchedulingReadSide,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(JOB_INSIGHTS_CONFIG) private readonly config: JobInsightsConfig,
  ) {
    this.s = `"${assertSchemaName(readSide.schema)}"`;
  }

  private async query(sql: string, params: unknown[]): Promise<Raw[]> {
    return this.readSide.dataSource.query<Raw[]>(sql, params);
  }

  private since(days: number): string {
    return new Date(Date.parse(this.clock.now()) - days * DAY_MS).toISOString();
  }

  // ---- validation -------------------------------------------------------------------------------

  static job(field: string, value: string | undefined): string {
    if (value === undefined || value === '')
      throw new ValidationError(field, `${field} is required.`);
    if (value.length > 200 || !JOB_NAME.test(value))
      throw new ValidationError(
        field,
        `${field} must be a job name <team>.<system>.<job> (lowercase letters, digits, single hyphens).`,
      );
    return value;
  }

  static team(field: string, value: string | undefined): string | undefined {
    if (value === undefined || value === '') return undefined;
    if (value.length > 100 || !TEAM.test(value))
      throw new ValidationError(
        field,
        `${field} must be a team name of lowercase letters, digits and hyphens.`,
      );
    return value;
  }

  static runId(field: string, value: string | undefined): string {
    if (value === undefined || value === '')
      throw new ValidationError(field, `${field} is required.`);
    if (!RUN_ID.test(value))
      throw new ValidationError(
        field,
        `${field} must be 1 to 300 printable ASCII characters without spaces.`,
      );
    return value;
  }

  static days(field: string, value: number | undefined, fallback: number): number {
    const days = value ?? fallback;
    if (!Number.isSafeInteger(days) || days < 1 || days > MAX_ZOMBIE_DAYS)
      throw new ValidationError(
        field,
        `${field} must be a whole number of days from 1 to ${MAX_ZOMBIE_DAYS}.`,
      );
    return days;
  }

  static paging(names: InsightFieldNames, page?: number, pageSize?: number) {
    const p = page ?? 1;
    const size = pageSize ?? 50;
    if (!Number.isSafeInteger(p) || p < 1 || p > 1_000_000)
      throw new ValidationError(
        names.page,
        `${names.page} must be a whole number from 1 to 1000000.`,
      );
    if (!Number.isSafeInteger(size) || size < 1 || size > INSIGHT_MAX_PAGE_SIZE)
      throw new ValidationError(
        names.pageSize,
        `${names.pageSize} must be a whole number from 1 to ${INSIGHT_MAX_PAGE_SIZE}.`,
      );
    return { page: p, pageSize: size };
  }

  // ---- job stats --------------------------------------------------------------------------------

  private statsSql(filter: string): string {
    const s = this.s;
    return `
WITH jobs AS (
  SELECT job FROM ${s}.insight_jobs UNION SELECT DISTINCT job FROM ${s}.insight_job_runs
), chosen AS (
  SELECT job FROM jobs WHERE ${filter} ORDER BY job OFFSET $3 LIMIT $4
)
SELECT c.job, j.owner, j.current_version,
  (SELECT count(*) FROM jobs WHERE ${filter}) AS total,
  w.runs, w.finished, w.succeeded, w.failed, w.cancelled, w.skipped, w.missed,
  w.p50, w.p95, w.active,
  (SELECT count(*) FROM ${s}.insight_run_slas sl WHERE sl.job = c.job
     AND sl.missed_detected_at IS NOT NULL AND sl.missed_detected_at >= $1) AS sla_misses,
  (SELECT count(*) FROM ${s}.insight_run_slas sl WHERE sl.job = c.job
     AND sl.predicted_finish IS NOT NULL AND sl.deadline >= $1) AS predicted_late,
  (SELECT max(finished_at) FROM ${s}.insight_job_runs r WHERE r.job = c.job
     AND r.outcome = 'succeeded') AS last_success_at,
  (SELECT max(nominal_time) FROM ${s}.insight_job_runs r WHERE r.job = c.job
     AND r.state NOT IN ('skipped', 'missed')) AS last_run_at
FROM chosen c
LEFT JOIN ${s}.insight_jobs j ON j.job = c.job
LEFT JOIN LATERAL (
  SELECT count(*) AS runs,
    count(*) FILTER (WHERE r.finished_at IS NOT NULL) AS finished,
    count(*) FILTER (WHERE r.outcome = 'succeeded') AS succeeded,
    count(*) FILTER (WHERE r.outcome = 'failed') AS failed,
    count(*) FILTER (WHERE r.outcome IN ('cancelled', 'stopped')) AS cancelled,
    count(*) FILTER (WHERE r.state = 'skipped') AS skipped,
    count(*) FILTER (WHERE r.state = 'missed') AS missed,
    count(*) FILTER (WHERE r.state IN ('scheduled', 'deferred', 'running')) AS active,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY r.duration_ms)
      FILTER (WHERE r.outcome = 'succeeded') AS p50,
    percentile_disc(0.95) WITHIN GROUP (ORDER BY r.duration_ms)
      FILTER (WHERE r.outcome = 'succeeded') AS p95
  FROM ${s}.insight_job_runs r WHERE r.job = c.job AND r.nominal_time >= $1
) w ON true
ORDER BY c.job`;
  }

  private stats(r: Raw, windowDays: number): JobStats {
    const finished = num(r['finished']);
    const failed = num(r['failed']);
    return {
      job: r['job'] as string,
      owner: textOrNull(r['owner']),
      currentVersion: numOrNull(r['current_version']),
      windowDays,
      runs: num(r['runs']),
      finished,
      succeeded: num(r['succeeded']),
      failed,
      cancelled: num(r['cancelled']),
      skipped: num(r['skipped']),
      missed: num(r['missed']),
      failureRate: finished > 0 ? failed / finished : null,
      durationP50Ms: numOrNull(r['p50']),
      durationP95Ms: numOrNull(r['p95']),
      slaMisses: num(r['sla_misses']),
      predictedLate: num(r['predicted_late']),
      lastSuccessAt: textOrNull(r['last_success_at']),
      lastRunAt: textOrNull(r['last_run_at']),
      activeRuns: num(r['active']),
    };
  }

  async getJobStats(
    params: { job?: string; sinceDays?: number },
    names: InsightFieldNames,
  ): Promise<JobStats> {
    const job = JobInsightQueries.job(names.job, params.job);
    const days = JobInsightQueries.days(
      names.sinceDays,
      params.sinceDays,
      INSIGHT_DEFAULT_WINDOW_DAYS,
    );
    await this.readSide.catchUp();
    const rows = await this.query(this.statsSql('job = $2'), [this.since(days), job, 0, 1]);
    const row = rows[0];
    if (!row) throw new NotFoundError('job', job);
    return this.stats(row, days);
  }

  async listJobStats(
    params: { team?: string; sinceDays?: number; page?: number; pageSize?: number },
    names: InsightFieldNames,
  ): Promise<Page<JobStats>> {
    const team = JobInsightQueries.team(names.team, params.team);
    const days = JobInsightQueries.days(
      names.sinceDays,
      params.sinceDays,
      INSIGHT_DEFAULT_WINDOW_DAYS,
    );
    const { page, pageSize } = JobInsightQueries.paging(names, params.page, params.pageSize);
    await this.readSide.catchUp();
    // A job's team is the first segment of its name (the manifest's convention).
    const rows = await this.query(
      this.statsSql(`($2::text IS NULL OR split_part(job, '.', 1) = $2)`),
      [this.since(days), team ?? null, (page - 1) * pageSize, pageSize],
    );
    const total = rows[0] ? num(rows[0]['total']) : await this.countJobs(team);
    return { items: rows.map((r) => this.stats(r, days)), page, pageSize, total };
  }

  private async countJobs(team: string | undefined): Promise<number> {
    const s = this.s;
    const rows = await this.query(
      `SELECT count(*) AS n FROM (SELECT job FROM ${s}.insight_jobs UNION SELECT DISTINCT job FROM ${s}.insight_job_runs) jobs
        WHERE ($1::text IS NULL OR split_part(job, '.', 1) = $1)`,
      [team ?? null],
    );
    return num(rows[0]?.['n']);
  }

  // ---- team queues ------------------------------------------------------------------------------

  async teamQueues(
    params: { team?: string; sinceDays?: number },
    names: InsightFieldNames,
  ): Promise<TeamQueue[]> {
    const team = JobInsightQueries.team(names.team, params.team);
    const days = JobInsightQueries.days(names.sinceDays, params.sinceDays, 1);
    const s = this.s;
    await this.readSide.catchUp();
    const now = new Date(Date.parse(this.clock.now())).toISOString();
    const rows = await this.query(
      `
WITH teams AS (SELECT DISTINCT team FROM ${s}.insight_job_runs WHERE ($1::text IS NULL OR team = $1))
SELECT t.team,
  q.queued, q.due, q.deferred, q.running, q.oldest,
  w.p50, w.p95, w.started,
  (SELECT count(*) FROM ${s}.insight_task_runs k WHERE k.team = t.team AND k.state = 'running') AS running_tasks,
  (SELECT count(*) FROM ${s}.insight_task_runs k WHERE k.team = t.team AND k.state = 'retry-scheduled') AS retrying
FROM teams t
LEFT JOIN LATERAL (
  SELECT count(*) FILTER (WHERE state IN ('scheduled', 'deferred')) AS queued,
    count(*) FILTER (WHERE state IN ('scheduled', 'deferred') AND coalesce(not_before, nominal_time) <= $2) AS due,
    count(*) FILTER (WHERE state = 'deferred') AS deferred,
    count(*) FILTER (WHERE state = 'running') AS running,
    min(coalesce(not_before, nominal_time)) FILTER (WHERE state IN ('scheduled', 'deferred')) AS oldest
  FROM ${s}.insight_job_runs r WHERE r.team = t.team AND r.state IN ('scheduled', 'deferred', 'running')
) q ON true
LEFT JOIN LATERAL (
  SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY wait) AS p50,
    percentile_disc(0.95) WITHIN GROUP (ORDER BY wait) AS p95, count(*) AS started
  FROM (
    SELECT greatest(0, extract(epoch FROM (started_at::timestamptz - coalesce(not_before, nominal_time)::timestamptz)) * 1000) AS wait
    FROM ${s}.insight_job_runs r WHERE r.team = t.team AND r.started_at IS NOT NULL AND r.started_at >= $3
  ) waits
) w ON true
ORDER BY t.team`,
      [team ?? null, now, this.since(days)],
    );
    return rows.map((r) => ({
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
    }));
  }

  // ---- pools ------------------------------------------------------------------------------------

  /**
   * Pool occupancy from the task runs' fencing tokens: who holds a slot now and how long tasks
   * held each pool in the window. Slot counts and pool capacities are the capacity side's
   * configuration, not in the events, so this is occupancy, not a utilisation ratio.
   */
  async poolUsage(params: { sinceDays?: number }, names: InsightFieldNames): Promise<PoolUsage[]> {
    const days = JobInsightQueries.days(names.sinceDays, params.sinceDays, 1);
    const s = this.s;
    await this.readSide.catchUp();
    const rows = await this.query(
      `
SELECT p.pool,
  count(*) FILTER (WHERE k.state = 'running') AS holders,
  coalesce(array_agg(DISTINCT k.job) FILTER (WHERE k.state = 'running'), '{}') AS holder_jobs,
  coalesce(sum(k.duration_ms) FILTER (WHERE k.finished_at >= $1), 0) AS busy,
  count(*) FILTER (WHERE k.finished_at >= $1) AS finished
FROM ${s}.insight_task_runs k CROSS JOIN LATERAL jsonb_array_elements_text(k.pools) AS p(pool)
WHERE k.state = 'running' OR k.finished_at >= $1
GROUP BY p.pool ORDER BY p.pool`,
      [this.since(days)],
    );
    return rows.map((r) => ({
      pool: r['pool'] as string,
      holders: num(r['holders']),
      holderJobs: (r['holder_jobs'] as string[]).slice().sort(),
      busyMs: num(r['busy']),
      tasksInWindow: num(r['finished']),
    }));
  }

  // ---- zombies ----------------------------------------------------------------------------------

  async zombies(params: { days?: number }, names: InsightFieldNames): Promise<ZombieFinding[]> {
    const days = JobInsightQueries.days(names.days, params.days, this.config.zombieDays);
    const s = this.s;
    await this.readSide.catchUp();
    const rows = await this.query(
      `
SELECT j.job, j.owner, j.defined_at,
  (SELECT max(nominal_time) FROM ${s}.insight_job_runs r WHERE r.job = j.job AND r.state NOT IN ('skipped', 'missed')) AS last_run_at,
  (SELECT max(finished_at) FROM ${s}.insight_job_runs r WHERE r.job = j.job AND r.outcome = 'succeeded') AS last_success_at
FROM ${s}.insight_jobs j ORDER BY j.job`,
      [],
    );
    return detectZombies(
      rows.map((r) => ({
        job: r['job'] as string,
        owner: r['owner'] as string,
        definedAt: r['defined_at'] as string,
        // Deprecation is the jobs API's event; until it is folded here every job counts as live.
        deprecated: false,
        ...(typeof r['last_run_at'] === 'string' ? { lastRunAt: r['last_run_at'] } : {}),
        ...(typeof r['last_success_at'] === 'string'
          ? { lastSuccessAt: r['last_success_at'] }
          : {}),
      })),
      { days, ...(this.config.knownTeams ? { knownTeams: this.config.knownTeams } : {}) },
      Date.parse(this.clock.now()),
    );
  }

  // ---- run timeline ---------------------------------------------------------------------------

  async runTimeline(params: { runId?: string }, names: InsightFieldNames): Promise<RunTimeline> {
    const runId = JobInsightQueries.runId(names.runId, params.runId);
    const s = this.s;
    await this.readSide.catchUp();
    const [runRaw] = await this.query(`SELECT * FROM ${s}.insight_job_runs WHERE run_id = $1`, [
      runId,
    ]);
    if (!runRaw) throw new NotFoundError('job run', runId);
    const run = runRow(runRaw);
    const [taskRows, dagRows, slaRows] = await Promise.all([
      this.query(`SELECT * FROM ${s}.insight_task_runs WHERE run_id = $1`, [runId]),
      this.query(
        `SELECT tasks FROM ${s}.insight_job_versions WHERE job = $1 AND job_version = $2`,
        [run.job, run.jobVersion],
      ),
      this.query(`SELECT * FROM ${s}.insight_run_slas WHERE run_id = $1`, [runId]),
    ]);
    const dag = (dagRows[0]?.['tasks'] as InsightTaskNode[] | undefined) ?? [];
    const sla = slaRows[0]
      ? {
          runId,
          job: slaRows[0]['job'] as string,
          team: slaRows[0]['team'] as string,
          deadline: slaRows[0]['deadline'] as string,
          predictedFinish: textOrNull(slaRows[0]['predicted_finish']),
          remainingTasks: (slaRows[0]['remaining_tasks'] as string[] | null) ?? null,
          missedDetectedAt: textOrNull(slaRows[0]['missed_detected_at']),
        }
      : null;
    return { run, sla, tasks: timelineTasks(run, dag, taskRows) };
  }

  // ---- the SLA watch's reads ------------------------------------------------------------------

  /** Runs with an SLA not yet missed, whose deadline is within the lookback, that may still miss it. */
  async slaCandidates(limit = 500): Promise<SlaCandidate[]> {
    const s = this.s;
    const nowMs = Date.parse(this.clock.now());
    const lookback = new Date(nowMs - this.config.slaLookbackHours * 3_600_000).toISOString();
    const rows = await this.query(
      `
SELECT r.*, v.sla_seconds, v.tasks AS dag, (sl.predicted_finish IS NOT NULL) AS predicted_late
FROM ${s}.insight_job_runs r
JOIN ${s}.insight_job_versions v ON v.job = r.job AND v.job_version = r.job_version
LEFT JOIN ${s}.insight_run_slas sl ON sl.run_id = r.run_id
WHERE v.sla_seconds IS NOT NULL
  AND sl.missed_detected_at IS NULL
  AND r.state NOT IN ('skipped', 'missed')
  AND r.nominal_time::timestamptz + v.sla_seconds * interval '1 second' >= $1::timestamptz
  AND (r.outcome IS DISTINCT FROM 'succeeded' OR r.finished_at IS NULL
       OR r.finished_at::timestamptz > r.nominal_time::timestamptz + v.sla_seconds * interval '1 second')
ORDER BY r.nominal_time LIMIT $2`,
      [lookback, limit],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r['run_id'] as string);
    const tasks = await this.query(
      `SELECT run_id, task_id, state, started_at FROM ${s}.insight_task_runs WHERE run_id = ANY($1)`,
      [ids],
    );
    const byRun = new Map<string, { taskId: string; state: string; startedAt: string | null }[]>();
    for (const t of tasks)
      byRun.set(t['run_id'] as string, [
        ...(byRun.get(t['run_id'] as string) ?? []),
        {
          taskId: t['task_id'] as string,
          state: t['state'] as string,
          startedAt: textOrNull(t['started_at']),
        },
      ]);
    return rows.map((r) => ({
      run: runRow(r),
      slaSeconds: Number(r['sla_seconds']),
      dag: r['dag'] as InsightTaskNode[],
      predictedLate: r['predicted_late'] === true,
      tasks: byRun.get(r['run_id'] as string) ?? [],
    }));
  }

  /** p50 of each task's succeeded durations in the history window, by job then task. */
  async taskP50s(jobs: readonly string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    if (jobs.length === 0) return out;
    const rows = await this.query(
      `SELECT job, task_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50
         FROM ${this.s}.insight_task_runs
        WHERE outcome = 'succeeded' AND duration_ms IS NOT NULL AND job = ANY($1) AND finished_at >= $2
        GROUP BY job, task_id`,
      [[...new Set(jobs)], this.since(this.config.durationHistoryDays)],
    );
    for (const r of rows) {
      const job = r['job'] as string;
      out.set(job, { ...(out.get(job) ?? {}), [r['task_id'] as string]: Number(r['p50']) });
    }
    return out;
  }
}

/** The DAG with each task's run facts, parents before children (depth = longest chain above). */
export const timelineTasks = (
  run: InsightJobRunRow,
  dag: readonly InsightTaskNode[],
  rows: readonly Raw[],
): TimelineTask[] => {
  const facts = new Map(rows.map((r) => [r['task_id'] as string, r]));
  const nodes: InsightTaskNode[] = [
    ...dag,
    // Tasks the run recorded that the DAG does not know (a version not in the read model).
    ...[...facts.keys()]
      .filter((id) => !dag.some((t) => t.id === id))
      .map((id) => ({ id, dependsOn: [] })),
  ];
  const depth = taskDepths(nodes);
  const runStart = run.startedAt ? Date.parse(run.startedAt) : undefined;
  return [...nodes]
    .sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0) || (a.id < b.id ? -1 : 1))
    .map((n) => {
      const f = facts.get(n.id);
      const first = textOrNull(f?.['first_started_at']);
      return {
        taskId: n.id,
        dependsOn: [...n.dependsOn],
        children: nodes
          .filter((c) => c.dependsOn.includes(n.id))
          .map((c) => c.id)
          .sort(),
        depth: depth.get(n.id) ?? 0,
        state: f ? (f['state'] as string) : 'pending',
        attempts: f ? num(f['attempts']) : 0,
        startedAt: textOrNull(f?.['started_at']),
        finishedAt: textOrNull(f?.['finished_at']),
        durationMs: numOrNull(f?.['duration_ms']),
        startOffsetMs: first && runStart !== undefined ? Date.parse(first) - runStart : null,
        outcome: textOrNull(f?.['outcome']),
        worker: textOrNull(f?.['worker']),
        pools: (f?.['pools'] as string[] | undefined) ?? [],
        detail: textOrNull(f?.['detail']),
        history: (f?.['history'] as InsightTaskAttempt[] | undefined) ?? [],
      };
    });
};
