// The deployment calendar (one row per scheduled deployment, with expected and actual durations)
// and the plans with their placement alerts (issue 11, items 4 and 6). Instants are UTC text
// `YYYY-MM-DDTHH:MM:SSZ`, so they sort and compare as text.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS deployment_plans (
  release_id  text PRIMARY KEY,
  train_id    text NOT NULL,
  status      text NOT NULL,
  deadline    text NOT NULL,
  reason      text,
  unplaced    jsonb NOT NULL,
  updated_at  text NOT NULL,
  version     integer NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
  deployment_id      text PRIMARY KEY,
  release_id         text NOT NULL,
  train_id           text NOT NULL,
  workload_id        text NOT NULL,
  team               text NOT NULL,
  workload_type      text NOT NULL,
  environment        text NOT NULL,
  components         jsonb NOT NULL,
  owner              text,
  wave               integer NOT NULL,
  start_at           text NOT NULL,
  end_at             text NOT NULL,
  expected_minutes   double precision NOT NULL,
  expected_basis     text NOT NULL,
  status             text NOT NULL,
  rejected           jsonb NOT NULL,
  reschedule_reason  text,
  started_at         text,
  finished_at        text,
  outcome            text,
  actual_minutes     double precision,
  variance_minutes   double precision
);
CREATE INDEX IF NOT EXISTS deployments_release_idx ON deployments (release_id, environment, wave);
CREATE INDEX IF NOT EXISTS deployments_calendar_idx ON deployments (start_at, end_at);
CREATE INDEX IF NOT EXISTS deployments_team_idx ON deployments (team, start_at);
CREATE INDEX IF NOT EXISTS deployments_finished_idx ON deployments (workload_type, finished_at)
  WHERE status = 'finished';
`);
};
