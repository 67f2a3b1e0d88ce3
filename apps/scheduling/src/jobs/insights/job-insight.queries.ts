import { Inject, Injectable } from '@nestjs/common';
import { assertSchemaName } from '@trainyard/event-store';
import { NotFoundError, type Clock } from '@trainyard/kernel';
import { CLOCK } from '@trainyard/platform';
import {
  detectZombies,
  jobStatsOf,
  runTimelineTasks,
  slaCandidatesOf,
  type JobStats,
  type ZombieFinding,
} from '@trainyard/scheduling-domain';
import type { InsightTaskNode } from '@trainyard/scheduling-read-models';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';
import {
  INSIGHT_DEFAULT_WINDOW_DAYS,
  daysParam,
  jobParam,
  pagingParam,
  runIdParam,
  teamParam,
  type InsightFieldNames,
} from './job-insight.params';
import {
  jobRunCountsOf,
  num,
  poolUsageOf,
  runRow,
  runSlaOf,
  slaCandidateRunOf,
  slaCandidateTaskOf,
  taskRunFactsOf,
  teamQueueOf,
  zombieFactsOf,
  type Page,
  type PoolUsage,
  type Raw,
  type RunTimeline,
  type SlaCandidate,
  type TeamQueue,
} from './job-insight.rows';
import { insightJobsSql, jobStatsSql } from './job-insight.sql';
import { JOB_INSIGHTS_CONFIG, type JobInsightsConfig } from './job-insights.config';

const DAY_MS = 86_400_000;

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

  // ---- job stats --------------------------------------------------------------------------------

  async getJobStats(
    params: { job?: string; sinceDays?: number },
    names: InsightFieldNames,
  ): Promise<JobStats> {
    const job = jobParam(names.job, params.job);
    const days = daysParam(names.sinceDays, params.sinceDays, INSIGHT_DEFAULT_WINDOW_DAYS);
    await this.readSide.catchUp();
    const rows = await this.query(jobStatsSql(this.s, 'job = $2'), [this.since(days), job, 0, 1]);
    const row = rows[0];
    if (!row) throw new NotFoundError('job', job);
    return jobStatsOf(jobRunCountsOf(row), days);
  }

  async listJobStats(
    params: { team?: string; sinceDays?: number; page?: number; pageSize?: number },
    names: InsightFieldNames,
  ): Promise<Page<JobStats>> {
    const team = teamParam(names.team, params.team);
    const days = daysParam(names.sinceDays, params.sinceDays, INSIGHT_DEFAULT_WINDOW_DAYS);
    const { page, pageSize } = pagingParam(names, params.page, params.pageSize);
    await this.readSide.catchUp();
    // A job's team is the first segment of its name (the manifest's convention).
    const rows = await this.query(
      jobStatsSql(this.s, `($2::text IS NULL OR split_part(job, '.', 1) = $2)`),
      [this.since(days), team ?? null, (page - 1) * pageSize, pageSize],
    );
    const total = rows[0] ? num(rows[0]['total']) : await this.countJobs(team);
    return { items: rows.map((r) => jobStatsOf(jobRunCountsOf(r), days)), page, pageSize, total };
  }

  private async countJobs(team: string | undefined): Promise<number> {
    const s = this.s;
    const rows = await this.query(
      `SELECT count(*) AS n FROM (${insightJobsSql(s)}) jobs
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
    const team = teamParam(names.team, params.team);
    const days = daysParam(names.sinceDays, params.sinceDays, 1);
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
    return rows.map(teamQueueOf);
  }

  // ---- pools ------------------------------------------------------------------------------------

  /**
   * Pool occupancy from the task runs' fencing tokens: who holds a slot now and how long tasks
   * held each pool in the window. Slot counts and pool capacities are the capacity side's
   * configuration, not in the events, so this is occupancy, not a utilisation ratio.
   */
  async poolUsage(params: { sinceDays?: number }, names: InsightFieldNames): Promise<PoolUsage[]> {
    const days = daysParam(names.sinceDays, params.sinceDays, 1);
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
    return rows.map(poolUsageOf);
  }

  // ---- zombies ----------------------------------------------------------------------------------

  async zombies(params: { days?: number }, names: InsightFieldNames): Promise<ZombieFinding[]> {
    const days = daysParam(names.days, params.days, this.config.zombieDays);
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
      rows.map(zombieFactsOf),
      { days, ...(this.config.knownTeams ? { knownTeams: this.config.knownTeams } : {}) },
      Date.parse(this.clock.now()),
    );
  }

  // ---- run timeline ---------------------------------------------------------------------------

  async runTimeline(params: { runId?: string }, names: InsightFieldNames): Promise<RunTimeline> {
    const runId = runIdParam(names.runId, params.runId);
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
    const sla = slaRows[0] ? runSlaOf(slaRows[0]) : null;
    return { run, sla, tasks: runTimelineTasks(run.startedAt, dag, taskRows.map(taskRunFactsOf)) };
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
    const tasks = await this.query(
      `SELECT run_id, task_id, state, started_at FROM ${s}.insight_task_runs WHERE run_id = ANY($1)`,
      [rows.map((r) => r['run_id'] as string)],
    );
    return slaCandidatesOf(rows.map(slaCandidateRunOf), tasks.map(slaCandidateTaskOf));
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
