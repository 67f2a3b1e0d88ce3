import type { DataSource, EntityManager } from 'typeorm';
import {
  START_CHECKPOINT,
  compareCheckpoints,
  formatCheckpoint,
  parseCheckpoint,
  type Checkpoint,
  type EventStore,
  type StoredEvent,
  type Subscription,
} from '@trainyard/event-store';
import {
  PLANNING_EVENT_TYPES,
  ReleaseScopeItemView,
  ReleaseView,
  WorkloadView,
  evolveReleaseRow,
  evolveReleaseScope,
  evolveWorkloadRow,
  releaseKeyOf,
  releaseScopeKeyOf,
  workloadKeyOf,
  type PlanningEvent,
  type ProjectedEvent,
  type ReleaseRow,
  type ScopeItemRow,
  type WorkloadRow,
} from '@trainyard/planning-read-models';

export const PLANNING_PROJECTION = 'planning.read-models.v1';

export interface ProjectionLogger {
  warn(message: string): void;
  error(message: string): void;
}

export const toProjectedEvent = (stored: StoredEvent): ProjectedEvent => ({
  event: { type: stored.type, data: stored.data } as PlanningEvent,
  streamVersion: stored.streamVersion,
  actor: stored.metadata.actor,
  ...(stored.metadata.reason !== undefined ? { reason: stored.metadata.reason } : {}),
});

/** Rows of one batch, loaded once by key, folded in memory, saved once. */
class BatchRows<Row> {
  private readonly rows = new Map<string, Row | undefined>();
  private readonly dirty = new Set<string>();

  constructor(private readonly load: (key: string) => Promise<Row | undefined>) {}

  async apply(key: string, evolve: (row: Row | undefined) => Row | undefined): Promise<void> {
    if (!this.rows.has(key)) this.rows.set(key, await this.load(key));
    const before = this.rows.get(key);
    const after = evolve(before);
    if (after !== before) {
      this.rows.set(key, after);
      this.dirty.add(key);
    }
  }

  changed(): Row[] {
    return [...this.dirty].flatMap((key) => {
      const row = this.rows.get(key);
      return row === undefined ? [] : [row];
    });
  }
}

/**
 * Folds planning events into the read-model tables: catch-up then live over the event store
 * subscription. Each batch's row changes and the checkpoint commit in one transaction, so a
 * restart neither skips nor doubles an event. A failed batch is retried from the stored checkpoint.
 */
export class PlanningProjectionRunner {
  private subscription?: Subscription;
  private position: Checkpoint = START_CHECKPOINT;
  private waiters: { target: Checkpoint; resolve: () => void }[] = [];
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly logger: ProjectionLogger,
    private readonly retryMs = 1_000,
  ) {}

  get checkpoint(): Checkpoint {
    return this.position;
  }

  async start(): Promise<void> {
    this.stopped = false;
    const rows: { checkpoint: string }[] = await this.dataSource.query(
      `SELECT checkpoint FROM "${this.schema}".projection_checkpoints WHERE projection = $1`,
      [PLANNING_PROJECTION],
    );
    const stored = rows[0]?.checkpoint;
    this.position = stored ? parseCheckpoint(stored) : START_CHECKPOINT;
    this.notify();
    const subscription = this.store.subscribe({
      from: stored ? this.position : 'start',
      types: PLANNING_EVENT_TYPES,
      pollIntervalMs: 500,
      handler: async (batch) => {
        await this.dataSource.transaction((manager) =>
          this.applyBatch(manager, batch.events, batch.checkpoint),
        );
        this.position = batch.checkpoint;
        this.notify();
      },
      onReadError: (error) =>
        this.logger.warn(`projection read failed, retrying: ${String(error)}`),
    });
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => {
      if (this.stopped) return;
      this.logger.error(
        `projection ${PLANNING_PROJECTION} failed, restarting: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      this.restartTimer = setTimeout(() => void this.start().catch(() => undefined), this.retryMs);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.subscription?.stop();
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
  }

  /** Resolves once every event up to `target` is in the read models, or after `timeoutMs` (false). */
  waitFor(target: Checkpoint, timeoutMs: number): Promise<boolean> {
    if (compareCheckpoints(this.position, target) >= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(compareCheckpoints(this.position, target) >= 0);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => compareCheckpoints(this.position, w.target) >= 0);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  private async applyBatch(
    manager: EntityManager,
    events: readonly StoredEvent[],
    checkpoint: Checkpoint,
  ): Promise<void> {
    const workloads = new BatchRows<WorkloadRow>(
      async (workloadId) => (await manager.findOneBy(WorkloadView, { workloadId })) ?? undefined,
    );
    const releases = new BatchRows<ReleaseRow>(
      async (releaseId) => (await manager.findOneBy(ReleaseView, { releaseId })) ?? undefined,
    );
    const scopes = new BatchRows<readonly ScopeItemRow[]>(async (releaseId) =>
      manager.findBy(ReleaseScopeItemView, { releaseId }),
    );
    for (const stored of events) {
      const projected = toProjectedEvent(stored);
      const { event } = projected;
      const workloadId = workloadKeyOf(event);
      if (workloadId !== undefined)
        await workloads.apply(workloadId, (row) => evolveWorkloadRow(row, projected));
      const releaseId = releaseKeyOf(event);
      if (releaseId !== undefined)
        await releases.apply(releaseId, (row) => evolveReleaseRow(row, projected));
      const scopeId = releaseScopeKeyOf(event);
      if (scopeId !== undefined)
        await scopes.apply(scopeId, (items) => evolveReleaseScope(items ?? [], projected));
    }
    const changedWorkloads = workloads.changed();
    if (changedWorkloads.length > 0)
      await manager.upsert(WorkloadView, changedWorkloads as WorkloadView[], ['workloadId']);
    const changedReleases = releases.changed();
    if (changedReleases.length > 0)
      await manager.upsert(ReleaseView, changedReleases as ReleaseView[], ['releaseId']);
    const items = scopes.changed().flat();
    if (items.length > 0)
      await manager.upsert(ReleaseScopeItemView, items, ['releaseId', 'workloadId']);
    await manager.query(
      `INSERT INTO "${this.schema}".projection_checkpoints (projection, checkpoint, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (projection) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = now()`,
      [PLANNING_PROJECTION, formatCheckpoint(checkpoint)],
    );
  }
}
