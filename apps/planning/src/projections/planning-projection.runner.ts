import type {
  DataSource,
  EntityManager,
  EntityMetadata,
  EntityTarget,
  ObjectLiteral,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
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
  ApiVersionView,
  PLANNING_EVENT_TYPES,
  ReleaseScopeItemView,
  apiVersionKeyOf,
  evolveApiVersionRow,
  ReleaseView,
  WorkloadView,
  evolveReleaseRow,
  evolveReleaseScope,
  evolveWorkloadRow,
  releaseKeyOf,
  releaseScopeKeyOf,
  workloadKeyOf,
  type ApiVersionRow,
  type PlanningEvent,
  type ProjectedEvent,
  type ReleaseRow,
  type ScopeItemRow,
  type WorkloadRow,
} from '@trainyard/planning-read-models';
import { apiVersionStreamKey } from '@trainyard/planning-domain';

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

/** Rows of one batch, loaded together by key in one query, folded in memory, saved once. */
class BatchRows<Row> {
  private readonly rows = new Map<string, Row | undefined>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly loadMany: (keys: readonly string[]) => Promise<ReadonlyMap<string, Row>>,
  ) {}

  /** One query for every key of the batch, instead of one per key. */
  async load(keys: Iterable<string | undefined>): Promise<void> {
    const wanted = [...new Set(keys)].filter(
      (key): key is string => key !== undefined && !this.rows.has(key),
    );
    if (wanted.length === 0) return;
    const found = await this.loadMany(wanted);
    for (const key of wanted) this.rows.set(key, found.get(key));
  }

  /** The row as folded so far in this batch (loaded first). */
  peek(key: string): Row | undefined {
    if (!this.rows.has(key)) throw new Error(`batch row ${key} was not loaded`);
    return this.rows.get(key);
  }

  apply(key: string, evolve: (row: Row | undefined) => Row | undefined): void {
    if (!this.rows.has(key)) throw new Error(`batch row ${key} was not loaded`);
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

interface UpsertStatement {
  readonly text: string;
  readonly columns: readonly ColumnMetadata[];
}

const upsertStatement = (schema: string, metadata: EntityMetadata): UpsertStatement => {
  const table = `"${schema}"."${metadata.tableName}"`;
  const quoted = (c: ColumnMetadata) => `"${c.databaseName}"`;
  const columns = metadata.columns;
  const list = columns.map(quoted).join(', ');
  const keys = metadata.primaryColumns.map(quoted).join(', ');
  const updates = columns
    .filter((c) => !c.isPrimary)
    .map((c) => `${quoted(c)} = EXCLUDED.${quoted(c)}`)
    .join(', ');
  return {
    text: `INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
       ON CONFLICT (${keys}) DO UPDATE SET ${updates}`,
    columns,
  };
};

const byKey = <Row>(rows: readonly Row[], key: (row: Row) => string): ReadonlyMap<string, Row> =>
  new Map(rows.map((row) => [key(row), row]));

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
  private readonly upserts = new Map<string, UpsertStatement>();

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
    const workloads = new BatchRows<WorkloadRow>(async (ids) =>
      byKey(
        await manager
          .getRepository(WorkloadView)
          .createQueryBuilder('w')
          .where('w.workload_id = ANY(:ids)', { ids })
          .getMany(),
        (row) => row.workloadId,
      ),
    );
    const releases = new BatchRows<ReleaseRow>(async (ids) =>
      byKey(
        await manager
          .getRepository(ReleaseView)
          .createQueryBuilder('r')
          .where('r.release_id = ANY(:ids)', { ids })
          .getMany(),
        (row) => row.releaseId,
      ),
    );
    const scopes = new BatchRows<readonly ScopeItemRow[]>(async (ids) => {
      const items = await manager
        .getRepository(ReleaseScopeItemView)
        .createQueryBuilder('s')
        .where('s.release_id = ANY(:ids)', { ids })
        .getMany();
      const byRelease = new Map<string, ScopeItemRow[]>(ids.map((id) => [id, []]));
      for (const item of items) byRelease.get(item.releaseId)?.push(item);
      return byRelease;
    });
    const apiVersions = new BatchRows<ApiVersionRow>(async (keys) => {
      const pairs = keys.map((key) => {
        const at = key.lastIndexOf('@');
        return { api: key.slice(0, at), version: key.slice(at + 1) };
      });
      const rows = await manager
        .getRepository(ApiVersionView)
        .createQueryBuilder('a')
        .where(
          '(a.api, a.version) IN (SELECT x.api, x.version FROM jsonb_to_recordset(CAST(:pairs AS jsonb)) AS x(api text, version text))',
          { pairs: JSON.stringify(pairs) },
        )
        .getMany();
      return byKey(rows, (row) => apiVersionStreamKey(row.api, row.version));
    });
    const projected = events.map(toProjectedEvent);
    await workloads.load(projected.map((p) => workloadKeyOf(p.event)));
    await releases.load(projected.map((p) => releaseKeyOf(p.event)));
    await scopes.load(projected.map((p) => releaseScopeKeyOf(p.event)));
    await apiVersions.load(projected.map((p) => apiVersionKeyOf(p.event)));
    // An event whose stream's row is already at or past its version is folded in already: another
    // instance's runner (or an older checkpoint) got there first. Skipping it, in every fold it
    // feeds, keeps the read models exact when runners overlap.
    const unseen = (version: number | undefined, p: ProjectedEvent) =>
      version === undefined || p.streamVersion > version;
    for (const p of projected) {
      const workloadId = workloadKeyOf(p.event);
      const releaseId = releaseKeyOf(p.event);
      const apiVersionId = apiVersionKeyOf(p.event);
      const fresh =
        workloadId !== undefined
          ? unseen(workloads.peek(workloadId)?.version, p)
          : releaseId !== undefined
            ? unseen(releases.peek(releaseId)?.version, p)
            : apiVersionId !== undefined
              ? unseen(apiVersions.peek(apiVersionId)?.streamVersion, p)
              : true;
      if (!fresh) continue;
      if (workloadId !== undefined) workloads.apply(workloadId, (row) => evolveWorkloadRow(row, p));
      if (releaseId !== undefined) releases.apply(releaseId, (row) => evolveReleaseRow(row, p));
      const scopeId = releaseScopeKeyOf(p.event);
      if (scopeId !== undefined)
        scopes.apply(scopeId, (items) => evolveReleaseScope(items ?? [], p));
      if (apiVersionId !== undefined)
        apiVersions.apply(apiVersionId, (row) => evolveApiVersionRow(row, p));
    }
    await this.upsert(manager, WorkloadView, workloads.changed());
    await this.upsert(manager, ReleaseView, releases.changed());
    await this.upsert(manager, ReleaseScopeItemView, scopes.changed().flat());
    await this.upsert(manager, ApiVersionView, apiVersions.changed());
    await manager.query(
      `INSERT INTO "${this.schema}".projection_checkpoints (projection, checkpoint, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (projection) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = now()`,
      [PLANNING_PROJECTION, formatCheckpoint(checkpoint)],
    );
  }

  /**
   * Saves rows in one statement with one parameter (the rows as JSON), inserting or replacing by
   * primary key: TypeORM's upsert binds every cell as its own parameter and builds that list in
   * quadratic time, which under load cost more CPU than the rest of the projection.
   */
  private async upsert(
    manager: EntityManager,
    entity: EntityTarget<ObjectLiteral>,
    rows: readonly object[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const metadata = manager.connection.getMetadata(entity);
    let statement = this.upserts.get(metadata.tableName);
    if (!statement) {
      statement = upsertStatement(this.schema, metadata);
      this.upserts.set(metadata.tableName, statement);
    }
    const { text, columns } = statement;
    const json = rows.map((row) =>
      Object.fromEntries(columns.map((c) => [c.databaseName, c.getEntityValue(row) ?? null])),
    );
    await manager.query(text, [JSON.stringify(json)]);
  }
}
