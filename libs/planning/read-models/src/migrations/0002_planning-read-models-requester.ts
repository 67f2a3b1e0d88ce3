// The requester of a workload (issue 13 item 6): the sealed envelope as the event holds it, opened
// only when a query answers, so erasing the subject's key shows "[erased]" with no re-projection
// (docs/adr/0013-crypto-shredding.md). Additive: existing rows read as "no requester".
export const up = (pgm: { sql(statement: string): void }): void => {
  pgm.sql(`ALTER TABLE workloads ADD COLUMN IF NOT EXISTS requester jsonb;`);
};
