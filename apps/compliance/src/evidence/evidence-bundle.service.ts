import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { readCheckpointDirectory, type CheckpointSigner } from '@trainyard/event-store';
import {
  EmptyScopeError,
  NoCheckpointError,
  exportEvidence,
  generateBundleSigningKey,
  hasEventStore,
  loadBundleSigningKey,
  writeTar,
  type BundleScope,
  type ServiceLogSource,
} from '@trainyard/evidence';
import { localDir } from '@trainyard/infra';
import { RuleViolation, ValidationError, isIsoInstant } from '@trainyard/kernel';
import type { Clock } from '@trainyard/kernel';
import {
  CLOCK,
  EVENT_SEALER,
  PG_POOL,
  SERVICES,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '@trainyard/platform';

const ID = /^[\x21-\x7e]{1,128}$/;

export interface BundleRequest {
  readonly scope: BundleScope;
  /** Which services' logs; default every one with an event store and a known verifier key. */
  readonly services?: readonly string[];
}

export interface ExportedBundle {
  readonly archive: Buffer;
  readonly fingerprint: string;
  readonly ephemeralKey: boolean;
  readonly services: readonly string[];
  readonly fileCount: number;
}

/** The request body as a bundle request, or a ValidationError naming the field. */
export function parseBundleRequest(body: unknown): BundleRequest {
  if (body === undefined || body === null) return { scope: { kind: 'all' } };
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const given = ['releaseId', 'workloadId', 'from'].filter((k) => b[k] !== undefined);
  if (given.length > 1 || (b.from === undefined) !== (b.to === undefined))
    throw new ValidationError(
      given[1] ?? (b.from === undefined ? 'from' : 'to'),
      'choose one scope: releaseId, workloadId, or from with to (or none for the whole history).',
    );
  let scope: BundleScope = { kind: 'all' };
  if (b.releaseId !== undefined) {
    if (typeof b.releaseId !== 'string' || !ID.test(b.releaseId))
      throw new ValidationError('releaseId', 'releaseId must be 1-128 printable characters.');
    scope = { kind: 'release', releaseId: b.releaseId };
  }
  if (b.workloadId !== undefined) {
    if (typeof b.workloadId !== 'string' || !ID.test(b.workloadId))
      throw new ValidationError('workloadId', 'workloadId must be 1-128 printable characters.');
    scope = { kind: 'workload', workloadId: b.workloadId };
  }
  if (b.from !== undefined) {
    if (!isIsoInstant(b.from))
      throw new ValidationError('from', 'from must be an ISO-8601 instant with a time zone.');
    if (!isIsoInstant(b.to))
      throw new ValidationError('to', 'to must be an ISO-8601 instant with a time zone.');
    const from = new Date(b.from).toISOString();
    const to = new Date(b.to).toISOString();
    if (from >= to) throw new ValidationError('to', 'to must be after from.');
    scope = { kind: 'period', from, to };
  }
  let services: string[] | undefined;
  if (b.services !== undefined) {
    if (
      !Array.isArray(b.services) ||
      b.services.length === 0 ||
      b.services.length > SERVICES.length
    )
      throw new ValidationError('services', `services must list 1-${SERVICES.length} services.`);
    services = b.services.map((s: unknown, i) => {
      if (typeof s !== 'string' || !(SERVICES as readonly string[]).includes(s))
        throw new ValidationError(
          `services[${i}]`,
          `services[${i}] must be one of ${SERVICES.join(', ')}.`,
        );
      return s;
    });
  }
  return { scope, ...(services ? { services: [...new Set(services)] } : {}) };
}

/**
 * `npm run audit:export` as a service: the same export (libs/shared/evidence) of every service's
 * log as of its newest signed checkpoint, answered as one tar archive that `npm run
 * audit:verify-bundle` verifies. This service's own log is read from its schema with its own
 * checkpoint key; the other services' logs from their schemas (same database) with the verifier
 * keys under `.local/audit/<service>/` where `npm run audit:export` finds them.
 */
@Injectable()
export class EvidenceBundleService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SEALER) private readonly sealing: { readonly signer?: CheckpointSigner },
  ) {}

  async export(request: BundleRequest): Promise<ExportedBundle> {
    const sources: ServiceLogSource[] = [];
    const wanted = request.services ?? SERVICES;
    for (const [i, service] of wanted.entries()) {
      const source = await this.sourceOf(service);
      if (source) sources.push(source);
      else if (request.services)
        throw new ValidationError(
          `services[${i}]`,
          `services[${i}]: ${service} has no event store or no checkpoint verifier key here.`,
        );
    }
    if (sources.length === 0)
      throw new RuleViolation('evidence-nothing-to-export', 'No service log can be exported here.');
    const key = this.config.AUDIT_BUNDLE_SIGNING_KEY_FILE
      ? loadBundleSigningKey(this.config.AUDIT_BUNDLE_SIGNING_KEY_FILE)
      : generateBundleSigningKey();
    let files: Map<string, Buffer>;
    try {
      files = await exportEvidence(this.pool, sources, {
        scope: request.scope,
        createdAt: this.clock.now(),
        key,
      });
    } catch (error) {
      if (error instanceof EmptyScopeError)
        throw new RuleViolation('evidence-empty-scope', error.message);
      if (error instanceof NoCheckpointError)
        throw new RuleViolation('evidence-no-checkpoint', error.message);
      throw error;
    }
    return {
      archive: writeTar(files),
      fingerprint: key.fingerprint,
      ephemeralKey: key.ephemeral,
      services: sources.map((s) => s.service),
      fileCount: files.size,
    };
  }

  private async sourceOf(service: string): Promise<ServiceLogSource | undefined> {
    if (service === this.config.service) {
      const signer = this.sealing.signer;
      if (!signer) return undefined;
      const schema = this.config.DATABASE_SCHEMA;
      const dir = this.config.AUDIT_CHECKPOINT_DIR ?? localDir('audit', schema, 'checkpoints');
      return {
        service,
        schema,
        verifierKey: signer.verifierKey,
        publishedCheckpoints: await readCheckpointDirectory(dir),
      };
    }
    if (!(await hasEventStore(this.pool, service))) return undefined;
    const dir = join(localDir('audit'), service);
    const vkey = join(dir, 'checkpoint-key.pem.vkey');
    if (!existsSync(vkey)) return undefined;
    const checkpoints = join(dir, 'checkpoints');
    return {
      service,
      schema: service,
      verifierKey: readFileSync(vkey, 'utf8').trim(),
      publishedCheckpoints: await readCheckpointDirectory(checkpoints),
    };
  }
}
