import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestContext,
  startTestService,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import type { ServiceDefinition } from '../service-definition';

export interface AuditedService {
  readonly ctx: TestContext;
  readonly service: TestService;
  /** The temporary folder with the signing key (`key.pem`) and, if published, `checkpoints/`. */
  readonly dir: string;
  /** The log origin the service signs its checkpoints under. */
  readonly origin: string;
}

/**
 * Registers the enclosing block's beforeAll/afterAll: the service started with its audit trail
 * signed by a fresh key in a temporary folder. The checkpoint interval is an hour, so checkpoints
 * are signed only when a test asks for one.
 */
export function auditedTestService(
  definition: ServiceDefinition,
  label: string,
  { publishCheckpoints = false } = {},
): AuditedService {
  let ctx: TestContext;
  let service: TestService;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext(label);
    dir = mkdtempSync(join(tmpdir(), `trainyard-${label}-`));
    service = await startTestService(definition, ctx, {
      AUDIT_SIGNING_KEY_FILE: join(dir, 'key.pem'),
      ...(publishCheckpoints ? { AUDIT_CHECKPOINT_DIR: join(dir, 'checkpoints') } : {}),
      AUDIT_LOG_ORIGIN: `trainyard.test/${ctx.schema}`,
      AUDIT_CHECKPOINT_INTERVAL_MS: '3600000',
    });
  });
  afterAll(async () => {
    await service.stop();
    await ctx.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get ctx() {
      return ctx;
    },
    get service() {
      return service;
    },
    get dir() {
      return dir;
    },
    get origin() {
      return `trainyard.test/${ctx.schema}`;
    },
  };
}
