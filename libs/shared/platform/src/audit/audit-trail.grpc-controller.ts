import { Controller, Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { audit } from '@trainyard/grpc-contracts';
import {
  EventStoreNotFound,
  TreeRangeError,
  formatCheckpoint,
  parseCheckpoint,
  parseSignedCheckpoint,
  readConsistencyProof,
  readInclusionProof,
  verifyEventLog,
  type CheckpointSigner,
  type EventSealer,
  type EventStore,
  type InclusionProof,
  type StoredEvent,
} from '@trainyard/event-store';
import { RuleViolation, ValidationError } from '@trainyard/kernel';
import { RequirePermission } from '../auth/auth.decorators';
import type { ServiceConfig } from '../config/service-config';
import { EVENT_SEALER, EVENT_STORE, PG_POOL, SERVICE_CONFIG } from '../tokens';

const MAX_PAGE = 1000;

/** `trainyard.audit.v1.AuditTrailService`, served by every service over its own event store. */
@Controller()
@audit.AuditTrailServiceControllerMethods()
export class AuditTrailGrpcController implements audit.AuditTrailServiceController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(EVENT_SEALER)
    private readonly log: { readonly sealer?: EventSealer; readonly signer?: CheckpointSigner },
  ) {}

  @RequirePermission('audit:read')
  async readStream(request: audit.ReadStreamRequest): Promise<audit.ReadStreamResponse> {
    if (!request.streamId) throw new ValidationError('stream_id', 'stream_id is required');
    if (request.fromVersion < 0)
      throw new ValidationError('from_version', 'from_version must not be negative');
    if (request.maxCount < 0 || request.maxCount > MAX_PAGE)
      throw new ValidationError('max_count', `max_count must be 0..${MAX_PAGE}`);
    const events = await this.store.readStream(request.streamId, {
      direction: request.backwards ? 'backwards' : 'forwards',
      fromVersion: request.fromVersion || undefined,
      maxCount: request.maxCount || MAX_PAGE,
    });
    return { events: events.map(toAuditEvent) };
  }

  @RequirePermission('audit:read')
  async readAll(request: audit.ReadAllRequest): Promise<audit.ReadAllResponse> {
    if (request.pageSize < 0 || request.pageSize > MAX_PAGE)
      throw new ValidationError('page_size', `page_size must be 0..${MAX_PAGE}`);
    let after;
    try {
      after = request.afterCheckpoint ? parseCheckpoint(request.afterCheckpoint) : undefined;
    } catch {
      throw new ValidationError(
        'after_checkpoint',
        'after_checkpoint is not a checkpoint returned by ReadAll',
      );
    }
    const page = await this.store.readAll({
      after,
      batchSize: request.pageSize || 100,
      types: request.types.length > 0 ? request.types : undefined,
    });
    return {
      events: page.events.map(toAuditEvent),
      nextCheckpoint: formatCheckpoint(page.checkpoint),
      endOfStore: page.isEnd,
    };
  }

  @RequirePermission('audit:read')
  async verifyChain(): Promise<audit.VerifyChainResponse> {
    try {
      // Two of the checkpoints this service signed (a signature cannot be forged without the key),
      // not all of them: one every ~10 s adds up to ~260,000 a month. The earliest and the latest
      // are enough — the log's recomputed root is checked at both sizes, the stored tree proves the
      // latest consistent with the earliest, and a latest beyond the tree finds removed newest events.
      const checkpoints = this.log.signer ? await this.earliestAndLatestCheckpoints() : [];
      const result = await verifyEventLog(this.pool, this.schema, {
        checkpoints,
        verifierKey: this.log.signer?.verifierKey,
      });
      return result.ok
        ? {
            intact: true,
            checked: String(result.checked),
            firstBadPosition: '',
            reason: '',
            unsealed: String(result.unsealed),
            checkpointsVerified: String(result.checkpointsVerified),
          }
        : {
            intact: false,
            checked: String(result.checked),
            firstBadPosition: result.firstBadPosition?.toString() ?? '',
            reason: result.reason,
            unsealed: '0',
            checkpointsVerified: '0',
          };
    } catch (error) {
      if (error instanceof EventStoreNotFound)
        return {
          intact: true,
          checked: '0',
          firstBadPosition: '',
          reason: '',
          unsealed: '0',
          checkpointsVerified: '0',
        };
      throw error;
    }
  }

  @RequirePermission('audit:read')
  async getCheckpoint(request: audit.GetCheckpointRequest): Promise<audit.GetCheckpointResponse> {
    const { sealer, signer } = this.log;
    if (!sealer || !signer)
      throw new RuleViolation('checkpoint_signer', 'this service signs no checkpoints');
    let note = request.refresh ? undefined : (await this.storedCheckpoints(1))[0];
    note ??= (await sealer.signCheckpoint()).note;
    const checkpoint = parseSignedCheckpoint(note);
    return {
      checkpoint: note,
      origin: checkpoint.origin,
      treeSize: String(checkpoint.treeSize),
      rootHash: checkpoint.rootHash,
      verifierKey: signer.verifierKey,
    };
  }

  @RequirePermission('audit:read')
  async getInclusionProof(
    request: audit.GetInclusionProofRequest,
  ): Promise<audit.GetInclusionProofResponse> {
    const leafIndex = treeNumber(request.leafIndex, 'leaf_index', true)!;
    const treeSize = treeNumber(request.treeSize, 'tree_size', false);
    const proof: InclusionProof = await proving(() =>
      readInclusionProof(this.pool, this.schema, leafIndex, treeSize),
    );
    return {
      leafIndex: String(proof.leafIndex),
      treeSize: String(proof.treeSize),
      rootHash: proof.rootHash,
      leafHash: proof.leafHash,
      leafData: proof.leafData,
      event: sealedToAuditEvent(proof.event),
      auditPath: proof.proof,
    };
  }

  @RequirePermission('audit:read')
  async getConsistencyProof(
    request: audit.GetConsistencyProofRequest,
  ): Promise<audit.GetConsistencyProofResponse> {
    const fromSize = treeNumber(request.fromSize, 'from_size', true)!;
    const toSize = treeNumber(request.toSize, 'to_size', false);
    const proof = await proving(() =>
      readConsistencyProof(this.pool, this.schema, fromSize, toSize),
    );
    return {
      fromSize: String(proof.fromSize),
      toSize: String(proof.toSize),
      fromRootHash: proof.fromRoot,
      toRootHash: proof.toRoot,
      proof: proof.proof,
    };
  }

  private get schema(): string {
    return this.config.DATABASE_SCHEMA;
  }

  private async storedCheckpoints(limit?: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ note: string }>(
      `SELECT c.note FROM "${this.schema}".event_tree_checkpoints c ORDER BY c.tree_size DESC, c.signed_at DESC LIMIT $1`,
      [limit ?? null],
    );
    return rows.map((row) => row.note);
  }

  /** The checkpoints of the smallest and the largest tree (one if they are the same), through the tree-size index. */
  private async earliestAndLatestCheckpoints(): Promise<string[]> {
    const table = `"${this.schema}".event_tree_checkpoints`;
    const { rows } = await this.pool.query<{ note: string }>(
      `(SELECT note FROM ${table} ORDER BY tree_size ASC, signed_at ASC LIMIT 1)
       UNION
       (SELECT note FROM ${table} ORDER BY tree_size DESC, signed_at DESC LIMIT 1)`,
    );
    return rows.map((row) => row.note);
  }
}

/** A decimal tree size or leaf index; empty means "not given" unless required. */
function treeNumber(value: string, field: string, required: boolean): number | undefined {
  if (value === '' && !required) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ValidationError(field, 'must be a decimal number');
  }
  return Number(value);
}

async function proving<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof TreeRangeError) throw new RuleViolation('sealed_tree', error.message);
    throw error;
  }
}

function sealedToAuditEvent(event: InclusionProof['event']): audit.AuditEvent {
  const metadata = (event.metadata ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof metadata[key] === 'string' ? metadata[key] : '');
  const trace = metadata.trace as { traceparent?: unknown } | undefined;
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    dataJson: JSON.stringify(event.data),
    eventId: text('eventId'),
    correlationId: text('correlationId'),
    causationId: text('causationId'),
    actor: text('actor'),
    reason: text('reason'),
    recordedAt: event.recordedAt,
    traceparent: typeof trace?.traceparent === 'string' ? trace.traceparent : '',
  };
}

function toAuditEvent(event: StoredEvent): audit.AuditEvent {
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    dataJson: JSON.stringify(event.data),
    eventId: event.metadata.eventId,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId ?? '',
    actor: event.metadata.actor,
    reason: event.metadata.reason ?? '',
    recordedAt: event.recordedAt.toISOString(),
    traceparent: event.metadata.trace?.traceparent ?? '',
  };
}
