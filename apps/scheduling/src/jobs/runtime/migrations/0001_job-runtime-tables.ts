// The job runtime's working tables (issue 12, items 3–6): runs, task runs and each scheduled
// job's high-water mark. Never edited once shipped. Every change of these rows commits together
// with its JobRunEvent (appendInTransaction); the rows are the runtime's queue, not a read model.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE job_runtime_manifests (
  job         text NOT NULL,
  version     integer NOT NULL,
  manifest    jsonb NOT NULL,
  PRIMARY KEY (job, version)
);
CREATE TABLE job_runs (
  run_id           text PRIMARY KEY,
  job              text NOT NULL,
  job_version      integer NOT NULL,
  team             text NOT NULL,
  nominal_time     timestamptz NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  trigger          text NOT NULL,
  environment      text NOT NULL,
  -- scheduled (waiting for not_before and admission) | running | finished | skipped | missed
  state            text NOT NULL,
  outcome          text,
  priority         integer NOT NULL,
  not_before       timestamptz NOT NULL,
  deferred_reason  text,
  requested_by     text,
  event_version    integer NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  cancelled_by     text
);
-- One run per schedule slot (issue 12, item 3): the idempotency key of a scheduled run. Manual
-- runs carry their own idempotency key (the column above); two may be requested in one millisecond.
CREATE UNIQUE INDEX job_runs_slot_key ON job_runs (job, nominal_time) WHERE trigger <> 'manual';
CREATE INDEX job_runs_admission_idx ON job_runs (not_before) WHERE state = 'scheduled';
CREATE INDEX job_runs_active_idx ON job_runs (job) WHERE state IN ('scheduled', 'running');
CREATE INDEX job_runs_job_time_idx ON job_runs (job, nominal_time DESC);
CREATE TABLE job_task_runs (
  run_id            text NOT NULL REFERENCES job_runs (run_id),
  task_id           text NOT NULL,
  job               text NOT NULL,
  team              text NOT NULL,
  priority          integer NOT NULL,
  -- pending | ready | running | done
  status            text NOT NULL,
  attempt           integer NOT NULL,
  outcome           text,
  handled           boolean NOT NULL DEFAULT false,
  not_before        timestamptz,
  ready_since       timestamptz,
  lease_owner       text,
  lease_expires_at  timestamptz,
  heartbeat_at      timestamptz,
  started_at        timestamptz,
  finished_at       timestamptz,
  exit_code         integer,
  http_status       integer,
  detail            text,
  PRIMARY KEY (run_id, task_id)
);
CREATE INDEX job_task_runs_ready_idx ON job_task_runs (priority DESC, ready_since) WHERE status = 'ready';
CREATE INDEX job_task_runs_lease_idx ON job_task_runs (lease_expires_at) WHERE status = 'running';
CREATE TABLE job_schedule_marks (
  job         text PRIMARY KEY,
  high_water  timestamptz NOT NULL
);
`);
};
