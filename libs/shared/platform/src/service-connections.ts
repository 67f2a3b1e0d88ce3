import { Pool } from 'pg';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { handleCheckedOutClientErrors } from '@trainyard/event-store';
import type { Logger } from '@trainyard/observability';
import type { ServiceConfig } from './config/service-config';

/** The service's PostgreSQL pool, its connection failures logged rather than thrown. */
export function createServicePool(config: ServiceConfig, logger: Logger): Pool {
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', (error) => logger.warn(`idle PostgreSQL connection failed: ${error.message}`));
  handleCheckedOutClientErrors(pool);
  return pool;
}

/** A Kafka admin client for the readiness check, connected on first use and again after a failure. */
export function lazyKafkaAdmin(config: ServiceConfig): {
  readonly connected: () => Admin;
  readonly disconnect: () => Promise<void>;
} {
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 0 },
  });
  let admin: Admin | undefined;
  const connectedAdmin = () => {
    if (!admin) {
      admin = kafka.admin();
      const pending = admin;
      void pending.connect().catch(() => (admin = admin === pending ? undefined : admin));
    }
    return admin;
  };
  return {
    connected: connectedAdmin,
    disconnect: async () => {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}

export async function waitForDatabase(
  pool: Pool,
  logger: Logger,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL unreachable for ${timeoutMs / 1000} s: ${(error as Error).message}`,
        );
      if (attempt === 1) logger.warn({ err: error }, 'waiting for PostgreSQL');
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 2_000)));
    }
  }
}
