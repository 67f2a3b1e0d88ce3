// Ready tasks by team, oldest first within a priority: a fair-share dispatch policy reads the head
// of every team's queue (a skip scan over the teams), so a flood from one team never hides
// another team's ready tasks behind it. Never edited once shipped.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE INDEX job_task_runs_ready_team_idx
  ON job_task_runs (team, priority DESC, ready_since) WHERE status = 'ready';
`);
};
