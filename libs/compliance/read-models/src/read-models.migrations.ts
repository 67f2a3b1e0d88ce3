/**
 * The compliance read-model tables, versioned: the only DDL of these tables. The entities map them
 * column for column; a change is a new migration file plus the entity change.
 */
export const COMPLIANCE_READ_MODEL_MIGRATIONS = {
  owner: 'compliance-read-models',
  dir: `${__dirname}/migrations`,
} as const;
