import type { Pool } from 'pg';
import { readTreeHead } from './event-tree.query';
import { foldNodes } from './merkle-tree';
import type { CheckpointSigner, SignedTreeCheckpoint } from './signed-checkpoint';
import { sealerStatements } from './event-sealer.sql';

export interface CheckpointOptions {
  readonly signer: CheckpointSigner;
  /** The log's origin line. Default: the signer's key name. */
  readonly origin?: string;
  /** A checkpoint at most this often while the tree grows (and one at start). Default 10 000 ms. */
  readonly intervalMs?: number;
  /** Where checkpoints go outside the database (a Kafka topic, a file directory). */
  readonly publishers?: readonly CheckpointPublisher[];
}

/** Publishes a signed checkpoint outside the database; a rejection is reported and retried at the next interval. */
export type CheckpointPublisher = (checkpoint: SignedTreeCheckpoint) => Promise<void>;

/** The EventSealer's checkpoints: signed on demand and, while the tree grows, at an interval. */
export class SealerCheckpoints {
  private readonly sql: ReturnType<typeof sealerStatements>;
  private signedSize?: number;
  private nextCheckpointAt = 0;
  private publishing?: Promise<unknown>;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly options: CheckpointOptions,
    /** Seals what is commit-safe before a checkpoint is signed. */
    private readonly sealPending: () => Promise<number>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.sql = sealerStatements(schema);
  }

  /** The publication in flight; never rejects: signIfDue reports its failure. */
  async published(): Promise<void> {
    await this.publishing;
  }

  async sign(): Promise<{ checkpoint: SignedTreeCheckpoint; published: Promise<unknown> }> {
    const { options } = this;
    await this.sealPending();
    const head = await readTreeHead(this.pool, this.schema);
    const checkpoint = options.signer.sign({
      origin: options.origin ?? options.signer.keyName,
      treeSize: head?.treeSize ?? 0,
      rootHash: head?.rootHash ?? foldNodes([]),
    });
    await this.pool.query(this.sql.insertCheckpoint, [checkpoint.treeSize, checkpoint.note]);
    this.signedSize = checkpoint.treeSize;
    return {
      checkpoint,
      published: Promise.all((options.publishers ?? []).map((publish) => publish(checkpoint))),
    };
  }

  /**
   * Background checkpoints: publishing (Kafka, a file system) must never hold up sealing, so the
   * loop does not wait for it; a failed publication is reported and signed again next interval.
   */
  async signIfDue(): Promise<void> {
    const { options } = this;
    if (this.publishing || Date.now() < this.nextCheckpointAt) return;
    this.nextCheckpointAt = Date.now() + (options.intervalMs ?? 10_000);
    const head = await readTreeHead(this.pool, this.schema);
    if (this.signedSize !== undefined && (head?.treeSize ?? 0) === this.signedSize) return;
    const { published } = await this.sign();
    this.publishing = published
      .catch((error: unknown) => {
        this.signedSize = undefined;
        this.onError(error);
      })
      .finally(() => (this.publishing = undefined));
  }
}
