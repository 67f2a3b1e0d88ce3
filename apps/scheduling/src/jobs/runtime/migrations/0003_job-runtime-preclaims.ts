// Pre-claimed slots (issue 12, cron fire lag): a scheduled run recorded within the tick's
// look-ahead is leased to the instance that recorded it (owner = instance id and incarnation),
// which starts it from memory at its start time. Admission passes over a run whose lease has not
// expired and takes it over once it has (the holder died or stalled). Never edited once shipped.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
ALTER TABLE job_runs ADD COLUMN preclaim_owner text, ADD COLUMN preclaim_until timestamptz;
`);
};
