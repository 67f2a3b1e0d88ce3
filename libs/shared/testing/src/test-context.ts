import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { trackRunning } from './leftovers';

/**
 * Per-test-file isolation: every file gets its own PostgreSQL schema, topic prefix and consumer
 * group prefix, so files never see each other's data even when they share one broker and server.
 */
export interface TestContext {
  readonly databaseUrl: string;
  readonly brokers: string[];
  /** A fresh schema, created on setup and dropped on dispose. */
  readonly schema: string;
  /** A pool whose connections have `search_path` set to `schema`. */
  readonly pool: Pool;
  /** A topic name unique to this file: `<prefix>.<name>`. */
  topic(name: string): string;
  /** A consumer group id unique to this file. */
  groupId(name: string): string;
  /**
   * Creates `topic(name)` on the broker and waits for its partitions' leaders, so a service
   * consuming it from the start of a test never meets "does not host this topic-partition".
   */
  createTopic(name: string, partitions?: number): Promise<string>;
  /** How many events in `schema`'s event store carry this correlation id (what one call wrote). */
  eventsOfCorrelation(correlationId: string): Promise<number>;
  dispose(): Promise<void>;
}

export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trainyard_test';
}

export function testBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
}

export async function createTestContext(label = 'test'): Promise<TestContext> {
  const suffix = randomBytes(4).toString('hex');
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const schema = `t_${safeLabel}_${suffix}`;
  const databaseUrl = testDatabaseUrl();
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 20,
    options: `-c search_path=${schema}`,
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const prefix = `test.${safeLabel}.${suffix}`;
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      untrack();
      try {
        await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await pool.end();
      }
    })());
  const untrack = trackRunning({ label: `test context ${schema}`, stop: dispose });
  return {
    databaseUrl,
    brokers: testBrokers(),
    schema,
    pool,
    topic: (name) => `${prefix}.${name}`,
    groupId: (name) => `${prefix}.${name}`,
    createTopic: async (name, partitions = 1) => {
      const topic = `${prefix}.${name}`;
      const admin = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await admin.createTopics({
          topics: [{ topic, numPartitions: partitions }],
          waitForLeaders: true,
        });
      } finally {
        await admin.disconnect();
      }
      return topic;
    },
    eventsOfCorrelation: async (correlationId) => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE metadata->>'correlationId' = $1`,
        [correlationId],
      );
      return rows[0]?.n ?? 0;
    },
    dispose,
  };
}
