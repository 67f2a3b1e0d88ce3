// Pools and fair share (issue 12, item 4). `job_pools` and `job_team_weights` are read models
// folded from JobPoolPut and TeamWeightSet; `job_pool_tokens` and `job_pool_leases` are the live
// state every scheduler instance shares: a lease is a holder's claim on some slots of a pool until
// it expires, with a fencing token taken from the pool's counter in the same transaction, so a
// token is never handed out twice and always grows. Never edited once shipped.
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`
CREATE TABLE IF NOT EXISTS job_pools (
  pool_key               text PRIMARY KEY,
  slots                  integer NOT NULL CHECK (slots >= 0),
  high_load_reservations jsonb NOT NULL,
  description            text,
  defined_by             text NOT NULL,
  defined_at             text NOT NULL,
  updated_by             text NOT NULL,
  updated_at             text NOT NULL,
  version                integer NOT NULL
);
CREATE TABLE IF NOT EXISTS job_team_weights (
  team        text PRIMARY KEY,
  weight      double precision NOT NULL CHECK (weight > 0),
  updated_by  text NOT NULL,
  updated_at  text NOT NULL,
  version     integer NOT NULL
);
CREATE TABLE IF NOT EXISTS job_pool_tokens (
  pool_key    text PRIMARY KEY,
  last_token  bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS job_pool_leases (
  pool_key       text NOT NULL,
  holder         text NOT NULL,
  slots          integer NOT NULL CHECK (slots > 0),
  fencing_token  bigint NOT NULL,
  acquired_at    timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (pool_key, holder)
);
CREATE INDEX IF NOT EXISTS job_pool_leases_holder_idx ON job_pool_leases (holder);
CREATE INDEX IF NOT EXISTS job_pool_leases_expiry_idx ON job_pool_leases (pool_key, expires_at);
`);
};
