/**
 * The scheduling read-model tables, versioned: the only DDL of these tables (files under
 * migrations/, `NNNN_scheduling-read-models-<what>.ts`, never edited once shipped). The TypeORM
 * entities map them column for column; the checkpoint lives in messaging's `projection_checkpoints`.
 */
export const SCHEDULING_READ_MODEL_MIGRATIONS = {
  owner: 'scheduling-read-models',
  dir: `${__dirname}/migrations`,
} as const;
