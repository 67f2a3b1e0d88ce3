/**
 * Where the audit ledger's ingest (`compliance.ledger.ingest`, issue 13) spends its CPU per event,
 * without Kafka: the bench's planning CloudEvents as the consumer hands them over, in runs of 250
 * as `LedgerIngest` writes them.
 *
 *   BENCH_DATABASE_URL=postgres://…/bench_x npx tsx bench/ledger-cpu.probe.ts [--events 20000] [--repeats 5]
 *
 * - node: the service process's CPU per event to parse the messages (`parseCloudEventMessage`) and to build
 *   and send the run's statement(s) (`writeLedgerEntries` against a connection that answers at once),
 *   best of `--repeats`;
 * - pg: the PostgreSQL backend's CPU per event (from /proc) and the wall time per event of the real
 *   transactions (inbox and ledger) on one connection into a fresh schema, each repeat.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Pool, type PoolClient } from 'pg';
import {
  migrateMessaging,
  parseCloudEventMessage,
  type ConsumedMessage,
  type InboxEvent,
} from '@trainyard/messaging';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from '@trainyard/compliance-read-models';
import { migrateSchema } from '@trainyard/event-store';
import { writeLedgerEntries } from '../apps/compliance/src/compliance.service';
import { procCpuMs } from './bench-harness';
import { messageOf } from './compliance-ledger.bench';

const RUN = 250;

/** What pg does to each parameter before it writes it (arrays to array literals). */
const { prepareValue } = createRequire(__filename)('pg/lib/utils') as {
  prepareValue: (value: unknown) => unknown;
};

/** The bench's message (compliance-ledger.bench.ts), as the consumer hands it over. */
const consumed = (i: number): ConsumedMessage => {
  const m = messageOf(i);
  return {
    topic: 'trainyard.planning.events.v1',
    partition: i % 8,
    offset: String(i),
    timestamp: String(Date.UTC(2031, 4, 4, 9, 0, 1, i)),
    key: typeof m.key === 'string' ? m.key : (m.key?.toString('utf8') ?? null),
    value: Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value ?? ''),
    headers: Object.fromEntries(
      Object.entries(m.headers ?? {}).map(([name, value]) => [name, String(value)]),
    ),
  };
};

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** The messages parsed, in runs of RUN (as `nextBatchRun` cuts a fetched batch of valid events). */
const runsOf = (messages: readonly ConsumedMessage[]): InboxEvent[][] => {
  const runs: InboxEvent[][] = [];
  for (let i = 0; i < messages.length; i += RUN)
    runs.push(
      messages
        .slice(i, i + RUN)
        .map((message) => ({ event: parseCloudEventMessage(message), message })),
    );
  return runs;
};

/** A connection that answers every statement at once (the statements are built and serialised). */
const nullClient = {
  query: (text: unknown, values?: unknown[]) => {
    // What pg does with the parameters before it writes them: literals, then UTF-8 buffers.
    for (const value of values ?? []) {
      const prepared = prepareValue(value);
      if (typeof prepared === 'string') Buffer.from(prepared, 'utf8');
    }
    return Promise.resolve({ rowCount: RUN, rows: [], command: 'INSERT', text });
  },
} as unknown as PoolClient;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const events = option('events', 20_000);
  const repeats = option('repeats', 5);
  const messages = Array.from({ length: events }, (_, i) => consumed(i));
  const at = new Date(Date.UTC(2031, 4, 4, 10));

  let parseBest = Infinity;
  let writeBest = Infinity;
  for (let r = 0; r < repeats + 1; r++) {
    const c0 = cpuMs();
    const runs = runsOf(messages);
    const c1 = cpuMs();
    for (const run of runs) await writeLedgerEntries(nullClient, 'probe', run, at);
    const c2 = cpuMs();
    if (r === 0) continue; // warm-up
    parseBest = Math.min(parseBest, ((c1 - c0) * 1000) / events);
    writeBest = Math.min(writeBest, ((c2 - c1) * 1000) / events);
  }
  console.log(
    `node µs/event (best of ${repeats}): parse ${parseBest.toFixed(2)}, ledger write ${writeBest.toFixed(2)}`,
  );

  const url =
    process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/trainyard_bench';
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    const runs = runsOf(messages);
    for (let r = 0; r < repeats; r++) {
      const schema = `ledger_probe_${process.pid}_${r}`;
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.query(`CREATE SCHEMA "${schema}"`);
      await migrateMessaging(pool, schema);
      await migrateSchema(pool, schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
      // The transaction of IdempotentConsumer's batch path with `recordInboxFirst` (inbox-batch.ts).
      const inbox = `INSERT INTO "${schema}".inbox (consumer_group, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING event_id`;
      const client = await pool.connect();
      const b0 = procCpuMs(pid);
      const w0 = performance.now();
      try {
        for (const run of runs) {
          await client.query('BEGIN');
          const fresh = await client.query(inbox, ['probe', run.map((item) => item.event.id)]);
          const written = await writeLedgerEntries(client, schema, run, at);
          await client.query('COMMIT');
          if (fresh.rowCount !== run.length || written !== run.length)
            throw new Error(`run not written: ${fresh.rowCount} inbox rows, ${written} entries`);
        }
      } finally {
        client.release();
      }
      const w1 = performance.now();
      const b1 = procCpuMs(pid);
      console.log(
        `pg µs/event: backend ${(((b1 - b0) * 1000) / events).toFixed(1)}, wall ${(((w1 - w0) * 1000) / events).toFixed(1)}`,
      );
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
