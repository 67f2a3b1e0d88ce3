/**
 * The planning read-model tables, versioned: the only DDL of these tables. The TypeORM entities
 * map them column for column (`synchronize` stays off, so start-up never alters tables behind a
 * migration); a change is a new migration file plus the entity change, and
 * read-models.migrations.int.spec.ts fails when the two disagree. The checkpoint lives in
 * messaging's `projection_checkpoints`, written in the same transaction as these rows.
 */
export const PLANNING_READ_MODEL_MIGRATIONS = {
  owner: 'planning-read-models',
  dir: `${__dirname}/migrations`,
} as const;
