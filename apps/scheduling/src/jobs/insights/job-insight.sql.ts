// The job-insight queries' longer SQL. `s` is the read model's schema, already checked and quoted.

/** Every job the read model knows: defined, or only seen running. */
export const insightJobsSql = (s: string): string =>
  `SELECT job FROM ${s}.insight_jobs UNION SELECT DISTINCT job FROM ${s}.insight_job_runs`;

/**
 * One row of counts per job passing `filter` (over `job`), a page of them: $1 the window's start,
 * $3 the offset, $4 the limit; `filter` may use $2.
 */
export const jobStatsSql = (s: string, filter: string): string => `
WITH jobs AS (
  ${insightJobsSql(s)}
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
