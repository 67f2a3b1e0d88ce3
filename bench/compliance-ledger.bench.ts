import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Message } from 'kafkajs';
import {
  DEFAULT_INBOX_RETENTION_DAYS,
  migrateMessaging,
  toCloudEventMessage,
} from '@trainyard/messaging';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from '@trainyard/compliance-read-models';
import { migrateSchema } from '@trainyard/event-store';
import { LedgerIngest } from '../apps/compliance/src/compliance.service';
import { compareRounds, row, sleep, type BenchArea, type BenchContext } from './bench-harness';

const BATCH = 500;
/** As a service topic in production has several (the ledger handles them in parallel). */
const PARTITIONS = 8;

/** A release's worth of planning events, cycled: workloads registered, scope committed, evaluated. */
export const messageOf = (i: number): Message => {
  const release = `R-${Math.floor(i / 50)}`;
  const kind = i % 5;
  const data =
    kind === 4
      ? {
          releaseId: release,
          trainId: 'T-1',
          workloads: [{ workloadId: `W-${i - 1}` }, { workloadId: `W-${i - 2}` }],
          deploymentOrder: [{ workloadId: `W-${i - 1}`, wave: 1 }],
          committedBy: 'user:bob',
        }
      : {
          workloadId: `W-${i}`,
          releaseId: release,
          title: `change ${i}`,
          registeredBy: 'user:ann',
        };
  const m = toCloudEventMessage(
    {
      position: BigInt(i + 1),
      transactionId: 1n,
      streamId: kind === 4 ? `release-${release}` : `workload-W-${i}`,
      streamVersion: 1,
      type: kind === 4 ? 'ReleaseScopeCommitted' : 'WorkloadRegistered',
      schemaVersion: 1,
      data,
      metadata: { eventId: randomUUID(), correlationId: 'bench', actor: 'user:ann' },
      recordedAt: new Date(Date.UTC(2031, 4, 4, 9, 0, 0, i)),
    },
    'planning',
  );
  return { key: m.key, value: m.value, headers: { ...m.headers } };
};

/** Waits until `done()` or the timeout; the elapsed seconds. */
const until = async (done: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const start = performance.now();
  while (!(await done())) {
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: timed out`);
    await sleep(20);
  }
  return (performance.now() - start) / 1000;
};

/**
 * `compliance.ledger.ingest`: a backlog of N planning CloudEvents on one topic; the ledger (an
 * IdempotentConsumer with a batch handler: inbox rows and entries (with their links) in one transaction per run
 * of at most 250 events of a fetched batch) reading it from the beginning, against a bare kafkajs consumer (batches, no work,
 * same partition concurrency) reading the same messages in the same run. Events/s from the
 * group's join to the last message handled.
 */
async function ledgerIngest(ctx: BenchContext) {
  const backlog = ctx.sizes.quick ? 10_000 : 50_000;
  const topic = await ctx.topic('ledger', PARTITIONS);
  const producer = await ctx.rawProducer();
  try {
    for (let i = 0; i < backlog; i += BATCH)
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: Math.min(BATCH, backlog - i) }, (_, j) => messageOf(i + j)),
      });
  } finally {
    await producer.disconnect();
  }
  ctx.log(`  compliance.ledger.ingest: ${backlog} CloudEvents on ${topic}`);
  let round = 0;

  // The bare consumer reads a fetched batch at a time, as the ledger does (one offset commit per
  // batch): a consumer committing after every message would be a baseline the ledger outruns.
  const bare = async (): Promise<number> => {
    round++;
    let seen = 0;
    const consumer = ctx.bus.consumer({
      groupId: `${topic}.bare.${round}`,
      topics: [topic],
      partitionsConsumedConcurrently: PARTITIONS,
    });
    const start = performance.now();
    await consumer.runBatches((batch, control) => {
      seen += batch.messages.length;
      const last = batch.messages.at(-1);
      if (last) control.resolveOffset(last.offset);
      return Promise.resolve();
    });
    await until(() => seen >= backlog, 300_000, 'bare consumer');
    const seconds = (performance.now() - start) / 1000;
    await consumer.disconnect();
    return backlog / seconds;
  };

  const ledger = async (): Promise<number> => {
    round++;
    const schema = ctx.schema(`ledger${round}`);
    const pool = ctx.pool(PARTITIONS + 1);
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await migrateMessaging(pool, schema);
    await migrateSchema(pool, schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
    const ingest = new LedgerIngest({
      pool,
      bus: ctx.bus,
      schema,
      groupId: `${topic}.ledger.${round}`,
      topics: [topic],
      inboxRetentionDays: DEFAULT_INBOX_RETENTION_DAYS,
      partitionsConsumedConcurrently: PARTITIONS,
    });
    const start = performance.now();
    await ingest.start();
    await until(() => (ingest.stats?.handled ?? 0) >= backlog, 600_000, 'ledger');
    const seconds = (performance.now() - start) / 1000;
    await ingest.stop();
    const { rows } = await pool.query<{ n: string; links: string }>(
      `SELECT (SELECT count(*) FROM "${schema}".ledger_entries) AS n, (SELECT sum(jsonb_array_length(links)) FROM "${schema}".ledger_entries) AS links`,
    );
    ctx.log(`  compliance.ledger.ingest: ${rows[0]?.n} entries, ${rows[0]?.links} links`);
    await ctx.closePool(pool);
    return backlog / seconds;
  };

  const result = await compareRounds(ctx, 'compliance.ledger.ingest', bare, ledger);
  return row('compliance.ledger.ingest', 'events/s', result.value, result.baseline);
}

export const complianceLedgerBenches: BenchArea = {
  area: 'compliance-ledger',
  rows: ['compliance.ledger.ingest'],
  async run(ctx, only, emit) {
    if (only('compliance.ledger.ingest')) emit(await ledgerIngest(ctx));
  },
};
