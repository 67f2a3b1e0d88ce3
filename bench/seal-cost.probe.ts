// Where the EventSealer's CPU goes per event, Node and PostgreSQL apart (issue 10). Not a bench row:
// a diagnosis tool, run by hand on a quiet-ish machine, each figure the median of several rounds.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x npx tsx bench/seal-cost.probe.ts [events] [batch]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/seal-cost.probe.ts   # with a CPU profile
//
// It appends `events` bench events (default 20,000) through the store, then
// 1. seals them all with an EventSealer of batch size `batch` (default 200, a pass's size at 1,000
//    appends/s), several times over fresh copies of the tree (a new schema each round), the first
//    half unmeasured (warm-up): Node CPU of the process (process.cpuUsage, every thread) and
//    PostgreSQL CPU of the sealer's backends (/proc/<pid>/schedstat, nanoseconds), per event; in
//    the caller's thread, or in a worker thread with PROBE_WORKER=1;
// 2. splits the pending read on the server: the same statement shape with fewer conversions, the
//    backend's CPU per event for each;
// 3. splits the Node side of one batch: reading the rows (socket, protocol, pg's row parsing),
//    JSON.parse of data and metadata, canonicalisation, hashing (with the public leafHash and
//    rootOfLeaves, which cost about twice the sealer's appendLeafTexts).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool, type PoolClient } from 'pg';
import {
  EventSealer,
  SEALED_COLUMNS,
  canonicalEventJson,
  createEventStore,
  leafHash,
  migrateEventStore,
  rootOfLeaves,
  toSealableEvent,
  type SealedRow,
} from '@trainyard/event-store';
import { benchEvent } from './bench-events';

const databaseUrl =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/trainyard_bench';
const EVENTS = Number(process.argv[2] ?? 20_000);
const BATCH = Number(process.argv[3] ?? 200);
const ROUNDS = Number(process.env['PROBE_ROUNDS'] ?? 5);

/** CPU time of one process (a PostgreSQL backend) in ns: the first field of /proc/<pid>/schedstat. */
function processCpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

function nodeCpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const us = (value: number): string => value.toFixed(1).padStart(6);

async function backendPid(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}

async function fill(pool: Pool, schema: string): Promise<void> {
  await migrateEventStore(pool, schema);
  const store = createEventStore(pool, schema, { crossProcessSignal: false });
  let n = 0;
  const writers = 8;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let version = 0;
      while (n < EVENTS) {
        const count = Math.min(100, EVENTS - n);
        n += count;
        const events = Array.from({ length: count }, (_, i) => benchEvent(n + i));
        version = (await store.append(`probe-${w}`, events, version)).nextExpectedVersion;
      }
    }),
  );
  await store.close();
  await pool.query(`VACUUM (ANALYZE) "${schema}".events`);
}

/** CPU of every backend of `applicationName` in ns (/proc/<pid>/schedstat), by pid. */
async function backendsCpuNs(pool: Pool, applicationName: string): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  );
  return new Map(rows.map(({ pid }) => [pid, processCpuNs(pid)]));
}

/**
 * Whole passes: the real sealer over the backlog, Node CPU (every thread of this process) and the
 * CPU of the sealer's backends per event; in the caller's thread, or with PROBE_WORKER=1 in a
 * worker thread. Only the second half of the events is measured: the first, sealed before, brings
 * up the connection and the worker and warms the code, as in a sealer that has been running.
 */
async function sealRounds(pool: Pool, schema: string): Promise<void> {
  const worker = process.env['PROBE_WORKER'] === '1';
  const node: number[] = [];
  const backend: number[] = [];
  const wall: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // A fresh tree over the same events: a copy of the events table in its own schema.
    const copy = `${schema}_r${round}`;
    await migrateEventStore(pool, copy);
    const applicationName = `seal-cost-probe-${copy}`;
    const sealerPool = new Pool({
      connectionString: databaseUrl,
      max: 1,
      idleTimeoutMillis: 0,
      application_name: applicationName,
    });
    const sealer = new EventSealer(sealerPool, copy, { batchSize: BATCH, worker });
    // The first half warms the sealer (JIT, caches) unmeasured; the second half is measured.
    const half = async (offset: number) => {
      await pool.query(
        `INSERT INTO "${copy}".events OVERRIDING SYSTEM VALUE
         SELECT * FROM "${schema}".events ORDER BY transaction_id, position OFFSET $1 LIMIT $2`,
        [offset, EVENTS / 2],
      );
      await pool.query(`VACUUM (ANALYZE) "${copy}".events`);
    };
    await half(0);
    await sealer.sealPending();
    await half(EVENTS / 2);
    const before = await backendsCpuNs(pool, applicationName);
    const [n0, t0] = [nodeCpuUs(), performance.now()];
    const sealed = await sealer.sealPending();
    const [n1, t1] = [nodeCpuUs(), performance.now()];
    const after = await backendsCpuNs(pool, applicationName);
    if (sealed !== EVENTS / 2) throw new Error(`sealed ${sealed} of ${EVENTS / 2}`);
    let backendNs = 0;
    for (const [pid, ns] of after) backendNs += ns - (before.get(pid) ?? 0);
    node.push((n1 - n0) / sealed);
    backend.push(backendNs / 1000 / sealed);
    wall.push(((t1 - t0) * 1000) / sealed);
    await sealer.stop();
    await sealerPool.end();
    await pool.query(`DROP SCHEMA "${copy}" CASCADE`);
  }
  const range = (values: number[]) =>
    `${us(median(values))} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
  console.log(
    `sealPending ${worker ? 'in a worker thread' : "in the caller's thread"}, batches of ${BATCH}, µs per event, median (min–max) of ${ROUNDS} rounds:\n` +
      `  Node process ${range(node)}\n` +
      `  PG backends  ${range(backend)}\n` +
      `  wall         ${range(wall)}`,
  );
}

/** The pending read's select list with parts taken away, backend CPU per event for each. */
async function readVariants(pool: Pool, schema: string): Promise<void> {
  const s = `"${schema}".events e`;
  const page = (columns: string) =>
    `SELECT ${columns} FROM ${s} WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
      ORDER BY e.transaction_id, e.position LIMIT ${BATCH}`;
  const variants: Array<[string, string]> = [
    ['position only', 'e.position'],
    ['position::text', 'e.position::text'],
    ['+ data::text', 'e.position::text, e.data::text'],
    ['+ metadata::text', 'e.position::text, e.data::text, e.metadata::text'],
    [
      '+ to_char(recorded_at)',
      `e.position::text, e.data::text, e.metadata::text, to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    ],
    ['SEALED_COLUMNS', SEALED_COLUMNS],
    ['data, metadata (jsonb, no ::text)', 'e.position, e.data, e.metadata'],
    ['recorded_at (timestamptz, ISO)', 'e.position, e.recorded_at'],
  ];
  const client = await pool.connect();
  try {
    await client.query(`SET TIME ZONE 'UTC'`);
    const pid = await backendPid(client);
    console.log(
      `pending read variants, pages of ${BATCH}, backend µs per event (median of ${ROUNDS}):`,
    );
    for (const [label, columns] of variants) {
      const text = page(columns);
      const perEvent: number[] = [];
      const nodePerEvent: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let after: [string, string] = ['0', '0'];
        let read = 0;
        const [b0, n0] = [processCpuNs(pid), nodeCpuUs()];
        for (;;) {
          const { rows } = await client.query<{ position: string | number }>({
            name: `probe_${label}`,
            text: text.replace(
              'SELECT',
              'SELECT e.transaction_id::text AS tx, e.position::text AS pos,',
            ),
            values: after,
          });
          if (rows.length === 0) break;
          read += rows.length;
          const last = rows[rows.length - 1] as unknown as { tx: string; pos: string };
          after = [last.tx, last.pos];
        }
        perEvent.push((processCpuNs(pid) - b0) / 1000 / read);
        nodePerEvent.push((nodeCpuUs() - n0) / read);
      }
      console.log(
        `  ${label.padEnd(36)} backend ${us(median(perEvent))}   node (rows read) ${us(median(nodePerEvent))}`,
      );
    }
  } finally {
    client.release();
  }
}

/**
 * The Node side of one batch, step by step, on rows read as the sealer reads them. Hashing is
 * leafHash and rootOfLeaves (a Buffer per hash), about twice the sealer's appendLeafTexts.
 */
async function nodeSteps(pool: Pool, schema: string): Promise<void> {
  const { rows } = await pool.query<SealedRow>(
    `SELECT ${SEALED_COLUMNS} FROM "${schema}".events e ORDER BY e.transaction_id, e.position LIMIT ${BATCH}`,
  );
  const steps: Record<string, number[]> = { parse: [], canonical: [], hash: [], all: [] };
  for (let round = 0; round < ROUNDS * 20; round++) {
    let t = performance.now();
    const events = rows.map(toSealableEvent);
    steps['parse']!.push(performance.now() - t);
    t = performance.now();
    const texts = events.map(canonicalEventJson);
    steps['canonical']!.push(performance.now() - t);
    t = performance.now();
    rootOfLeaves(texts.map(leafHash));
    steps['hash']!.push(performance.now() - t);
    t = performance.now();
    rootOfLeaves(rows.map((row) => leafHash(canonicalEventJson(toSealableEvent(row)))));
    steps['all']!.push(performance.now() - t);
  }
  console.log(
    `Node steps on ${rows.length} rows, µs per event (first round, median of ${ROUNDS * 20}):`,
  );
  for (const [step, times] of Object.entries(steps))
    console.log(
      `  ${step.padEnd(10)} first ${us((times[0]! * 1000) / rows.length)}  median ${us((median(times) * 1000) / rows.length)}`,
    );
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: databaseUrl, max: 8 });
  const schema = `seal_probe_${Date.now().toString(36)}`;
  try {
    await fill(pool, schema);
    const mode = process.env['PROBE_ONLY'];
    if (!mode || mode === 'node') await nodeSteps(pool, schema);
    if (!mode || mode === 'read') await readVariants(pool, schema);
    if (!mode || mode === 'seal') await sealRounds(pool, schema);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
