import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import {
  EventSealer,
  fileCheckpointPublisher,
  loadOrCreateSigningKey,
} from '@trainyard/event-store';
import type { MessageProducer } from '@trainyard/messaging';
import { localDir } from '@trainyard/infra';
import type { Logger } from '@trainyard/observability';
import { kafkaCheckpointPublisher } from './audit/checkpoint-publishers';
import type { ServiceConfig } from './config/service-config';

/**
 * The service's checkpoint signer and the sealer that seals its events and publishes signed
 * checkpoints to a directory and to Kafka.
 */
export function createAuditSealer(
  config: ServiceConfig,
  pool: Pool,
  producer: MessageProducer,
  logger: Logger,
) {
  const schema = config.DATABASE_SCHEMA;
  const auditDir =
    config.AUDIT_SIGNING_KEY_FILE && config.AUDIT_CHECKPOINT_DIR
      ? ''
      : defaultAuditDir(schema, logger);
  const signer = loadOrCreateSigningKey(
    config.AUDIT_SIGNING_KEY_FILE ?? join(auditDir, 'checkpoint-key.pem'),
    config.AUDIT_LOG_ORIGIN ?? `trainyard.local/${schema}`,
  );
  const sealer = new EventSealer(pool, schema, {
    // Off the event loop that serves commands: a pass's JavaScript would stall them (issue 10).
    worker: true,
    onError: (error) =>
      logger.warn(`sealer pass failed: ${error instanceof Error ? error.message : String(error)}`),
    checkpoints: {
      signer,
      intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
      publishers: [
        fileCheckpointPublisher(config.AUDIT_CHECKPOINT_DIR ?? join(auditDir, 'checkpoints')),
        kafkaCheckpointPublisher(producer),
      ],
    },
  });
  return { signer, sealer };
}

/**
 * `.local/audit/<schema>`, where the checkpoint key and checkpoints go unless configured. Where it
 * cannot be written (a read-only image), a temporary directory, with a warning: a key there does
 * not outlive the container, so set AUDIT_SIGNING_KEY_FILE and AUDIT_CHECKPOINT_DIR in production.
 */
function defaultAuditDir(schema: string, logger: Logger): string {
  const dir = localDir('audit', schema);
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch (error) {
    const fallback = join(tmpdir(), 'trainyard-audit', schema);
    logger.warn(
      `cannot write ${dir} (${error instanceof Error ? error.message : String(error)}): checkpoint key and checkpoints default to ${fallback}; set AUDIT_SIGNING_KEY_FILE and AUDIT_CHECKPOINT_DIR`,
    );
    return fallback;
  }
}
