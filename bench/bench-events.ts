import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { NewEvent } from '@trainyard/event-store';

/**
 * One representative event: a few ids, a title, a time window and tags (≈ 330 bytes of data JSON)
 * and full metadata with a W3C trace context (≈ 300 bytes), the size services actually append.
 */
export interface BenchEventData {
  readonly workloadId: string;
  readonly releaseId: string;
  readonly title: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly estimateHours: number;
  readonly tags: readonly string[];
  readonly n: number;
}

export const BENCH_EVENT_TYPE = 'WorkloadScheduled';
const TITLE = 'Migrate the payment gateway to the new cluster and retire the old load balancers';
const TAGS = ['payments', 'infrastructure', 'change-window', 'customer-facing'] as const;

export function benchEventData(n: number): BenchEventData {
  return {
    workloadId: randomUUID(),
    releaseId: randomUUID(),
    title: TITLE,
    window: { start: '2025-03-01T22:00:00.000Z', end: '2025-03-02T04:00:00.000Z' },
    estimateHours: 12,
    tags: TAGS,
    n,
  };
}

export function benchEvent(n: number): NewEvent<typeof BENCH_EVENT_TYPE, BenchEventData> {
  return {
    type: BENCH_EVENT_TYPE,
    data: benchEventData(n),
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: 'user:bench-operator',
      trace: {
        traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
      },
    },
  };
}

/** The baseline's table: a bigint identity primary key and the event store's payload columns, nothing else. */
export async function createPlainTable(pool: Pool, schema: string): Promise<string> {
  const table = `"${schema}".plain_events`;
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await pool.query(`
CREATE TABLE ${table} (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream_id       text COLLATE "C" NOT NULL,
  stream_version  integer NOT NULL,
  event_type      text COLLATE "C" NOT NULL,
  schema_version  integer NOT NULL DEFAULT 1,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now()
)`);
  return table;
}

/** Row values in the order of the plain table's insert columns, serialised the way the store serialises them. */
export function plainRow(
  streamId: string,
  version: number,
  event: NewEvent,
): [string, number, string, number, string, string] {
  return [
    streamId,
    version,
    event.type,
    event.schemaVersion ?? 1,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
  ];
}

/**
 * Fills `<schema>.events` with `count` events (100 per stream, versions in position order) in
 * transactions of `chunk` rows with INSERT … SELECT generate_series: a million events in seconds.
 * The immutability triggers only refuse UPDATE/DELETE/TRUNCATE, so a bulk INSERT is allowed.
 */
export async function seedEvents(
  pool: Pool,
  schema: string,
  count: number,
  chunk = 25_000,
): Promise<void> {
  const template = JSON.stringify(benchEventData(0));
  for (let from = 0; from < count; from += chunk) {
    const to = Math.min(count, from + chunk) - 1;
    await pool.query(
      `INSERT INTO "${schema}".events (stream_id, stream_version, event_type, schema_version, data, metadata)
       SELECT 'seed-' || (g / 100), (g % 100) + 1, $3, 1,
              $4::jsonb || jsonb_build_object('n', g, 'workloadId', gen_random_uuid()),
              jsonb_build_object('eventId', gen_random_uuid(), 'correlationId', gen_random_uuid(),
                                 'causationId', gen_random_uuid(), 'actor', 'user:bench-operator',
                                 'trace', jsonb_build_object('traceparent',
                                   '00-' || md5(g::text) || '-' || left(md5((g + 1)::text), 16) || '-01'))
         FROM generate_series($1::bigint, $2::bigint) AS g
        ORDER BY g`,
      [from, to, BENCH_EVENT_TYPE, template],
    );
  }
  // A bulk-loaded table is vacuumed and analysed before anyone measures on it, as autovacuum would do in production.
  await pool.query(`VACUUM (ANALYZE) "${schema}".events`);
}
