// The last access model this service received from compliance (one row per model id), kept so
// the guard has it at start even when compliance and the broker are unreachable.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS access_model (
  model_id     text PRIMARY KEY,
  version      bigint NOT NULL,
  model        jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
`);
};
