/** The job runtime's tables (migrations/, `NNNN_job-runtime-<what>.ts`, never edited once shipped). */
export const JOB_RUNTIME_MIGRATIONS = {
  owner: 'job-runtime',
  dir: `${__dirname}/migrations`,
} as const;
