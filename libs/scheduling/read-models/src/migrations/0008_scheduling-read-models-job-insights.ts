// Job insights (issue 12, items 5 and 7): what the runtime's job-run events and the job
// definitions say about runs, tasks, SLAs and jobs, for stats, queues, SLA watch and zombies.
// Instants are UTC ISO-8601 text (`YYYY-MM-DDTHH:MM:SS.sssZ`), so they sort and compare as text.
// Named `insight_*`: the runtime's own run and task tables (its queue) are separate.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS insight_jobs (
  job              text PRIMARY KEY,
  owner            text NOT NULL,
  defined_at       text NOT NULL,
  updated_at       text NOT NULL,
  current_version  integer NOT NULL,
  version          integer NOT NULL
);
CREATE TABLE IF NOT EXISTS insight_job_versions (
  job          text NOT NULL,
  job_version  integer NOT NULL,
  digest       text NOT NULL,
  scheduled    boolean NOT NULL,
  sla_seconds  integer,
  components   jsonb NOT NULL,
  tasks        jsonb NOT NULL,
  applied_at   text NOT NULL,
  PRIMARY KEY (job, job_version)
);
CREATE TABLE IF NOT EXISTS insight_job_runs (
  run_id           text PRIMARY KEY,
  job              text NOT NULL,
  job_version      integer NOT NULL,
  team             text NOT NULL,
  nominal_time     text NOT NULL,
  trigger          text,
  environment      text,
  state            text NOT NULL,
  not_before       text,
  deferrals        integer NOT NULL,
  deferred_reason  text,
  deferred_until   text,
  started_at       text,
  finished_at      text,
  duration_ms      double precision,
  outcome          text,
  detail           text,
  version          integer NOT NULL
);
CREATE INDEX IF NOT EXISTS insight_job_runs_job_idx ON insight_job_runs (job, nominal_time);
CREATE INDEX IF NOT EXISTS insight_job_runs_finished_idx ON insight_job_runs (job, finished_at)
  WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS insight_job_runs_team_idx ON insight_job_runs (team, state);
CREATE INDEX IF NOT EXISTS insight_job_runs_active_idx ON insight_job_runs (nominal_time)
  WHERE state IN ('scheduled', 'deferred', 'running');
CREATE TABLE IF NOT EXISTS insight_task_runs (
  run_id            text NOT NULL,
  task_id           text NOT NULL,
  job               text NOT NULL,
  team              text NOT NULL,
  state             text NOT NULL,
  attempts          integer NOT NULL,
  first_started_at  text,
  started_at        text,
  finished_at       text,
  duration_ms       double precision,
  outcome           text,
  worker            text,
  pools             jsonb NOT NULL,
  fencing_tokens    jsonb NOT NULL,
  retry_at          text,
  exit_code         integer,
  http_status       integer,
  detail            text,
  history           jsonb NOT NULL,
  PRIMARY KEY (run_id, task_id)
);
CREATE INDEX IF NOT EXISTS insight_task_runs_duration_idx ON insight_task_runs (job, task_id, finished_at)
  WHERE outcome = 'succeeded';
CREATE INDEX IF NOT EXISTS insight_task_runs_running_idx ON insight_task_runs (team)
  WHERE state = 'running';
CREATE TABLE IF NOT EXISTS insight_run_slas (
  run_id             text PRIMARY KEY,
  job                text NOT NULL,
  team               text NOT NULL,
  deadline           text NOT NULL,
  predicted_finish   text,
  remaining_tasks    jsonb,
  missed_detected_at text
);
CREATE INDEX IF NOT EXISTS insight_run_slas_job_idx ON insight_run_slas (job);
`);
};
