import type { Pool } from 'pg';
import type { ReadinessCheck } from './readiness';

export function postgresCheck(pool: Pool): ReadinessCheck {
  return { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) };
}

/** Kafka answers a metadata request naming at least one broker. */
export function kafkaCheck(
  describeCluster: () => Promise<{ brokers: readonly unknown[] }>,
): ReadinessCheck {
  return {
    name: 'kafka',
    check: async () => {
      const { brokers } = await describeCluster();
      if (brokers.length === 0) throw new Error('no Kafka broker in the cluster metadata');
    },
  };
}
