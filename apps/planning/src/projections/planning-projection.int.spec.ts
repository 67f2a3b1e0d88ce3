import { DataSource } from 'typeorm';
import {
  compareCheckpoints,
  createEventStore,
  formatCheckpoint,
  parseCheckpoint,
  type Checkpoint,
  type PostgresEventStore,
} from '@trainyard/event-store';
import { migrateService } from '@trainyard/platform';
import { projectEvents } from '@trainyard/kernel';
import { ProjectionRunner } from '@trainyard/messaging';
import {
  ApiVersionView,
  PLANNING_PROJECTION,
  PLANNING_READ_MODEL_ENTITIES,
  ReleaseScopeItemView,
  ReleaseView,
  WorkloadView,
  planningProjection,
  type ApiVersionRow,
  type ProjectedEvent,
  type ReleaseRow,
  type ScopeItemRow,
  type WorkloadRow,
} from '@trainyard/planning-read-models';
import { appendScenario, planningLifecycle } from '@trainyard/planning-read-models/testing';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { planningService } from '../planning.service';

/** The rows the pure folds give for these events (the definition, folded in memory): what the tables must hold. */
const expected = (events: readonly ProjectedEvent[]) => {
  const tables = projectEvents(planningProjection, events);
  const byKey = <T>(table: string, key: (row: T) => string) =>
    ((tables[table] ?? []) as T[]).sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return {
    workloads: byKey<WorkloadRow>('workloads', (r) => r.workloadId),
    releases: byKey<ReleaseRow>('releases', (r) => r.releaseId),
    items: byKey<ScopeItemRow>('release_scope_items', (r) => `${r.releaseId}/${r.workloadId}`),
    apiVersions: byKey<ApiVersionRow>('api_versions', (r) => `${r.api}@${r.version}`),
  };
};

describe('planning projection (shared runner) over the real event store and PostgreSQL', () => {
  let ctx: TestContext;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const events = planningLifecycle().events;
  const half = Math.floor(events.length / 2);

  const append = (slice: readonly ProjectedEvent[]): Promise<Checkpoint> =>
    appendScenario(store, slice);

  const tables = async () => ({
    workloads: await dataSource.manager.find(WorkloadView, { order: { workloadId: 'ASC' } }),
    releases: await dataSource.manager.find(ReleaseView, { order: { releaseId: 'ASC' } }),
    items: (await dataSource.manager.find(ReleaseScopeItemView)).sort((a, b) =>
      `${a.releaseId}/${a.workloadId}` < `${b.releaseId}/${b.workloadId}` ? -1 : 1,
    ),
    apiVersions: await dataSource.manager.find(ApiVersionView, {
      order: { api: 'ASC', version: 'ASC' },
    }),
  });

  /** The shared runner over planning's one projection definition, as the service runs it. */
  const planningRunner = () =>
    new ProjectionRunner({
      pool: ctx.pool,
      store,
      projection: planningProjection,
      pollIntervalMs: 100,
    });

  const caughtUp = (runner: ProjectionRunner<ProjectedEvent>, target: Checkpoint) =>
    waitFor(() => compareCheckpoints(runner.checkpoint, target) >= 0, {
      description: 'the projection to catch up',
    });

  beforeAll(async () => {
    ctx = await createTestContext('planning_projection');
    await migrateService(planningService, ctx.pool, ctx.schema);
    await migrateService(planningService, ctx.pool, ctx.schema); // idempotent
    store = createEventStore(ctx.pool, ctx.schema);
    dataSource = new DataSource({
      type: 'postgres',
      url: ctx.databaseUrl,
      schema: ctx.schema,
      entities: [...PLANNING_READ_MODEL_ENTITIES],
      extra: { max: 2 },
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await store?.close();
    await ctx?.dispose();
  });

  it('writes exactly the rows the pure folds give, and resumes from its stored checkpoint without folding anything twice', async () => {
    const firstHalf = await append(events.slice(0, half));
    const first = planningRunner();
    await first.start();
    await caughtUp(first, firstHalf);
    expect(await tables()).toEqual(expected(events.slice(0, half)));
    await first.stop();

    const rest = await append(events.slice(half));
    const second = planningRunner();
    await second.start();
    // Folding an event twice would show: the compliance alert list would repeat, versions would not match.
    await caughtUp(second, rest);
    expect(await tables()).toEqual(expected(events));
    await second.stop();
    const stored = await ctx.pool.query<{ checkpoint: string }>(
      'SELECT checkpoint FROM projection_checkpoints WHERE projection = $1',
      [PLANNING_PROJECTION],
    );
    // The subscription may move the checkpoint past the last event once it has seen everything committed.
    expect(
      compareCheckpoints(parseCheckpoint(stored.rows[0]?.checkpoint ?? '0:0'), rest),
    ).toBeGreaterThanOrEqual(0);
  });

  it('folds nothing twice when a runner replays events another one already projected (an overlapping instance)', async () => {
    // Self-contained: the events are in the store already when the tests above ran.
    if ((await ctx.pool.query('SELECT 1 FROM events LIMIT 1')).rowCount === 0) await append(events);
    const first = planningRunner();
    await first.start();
    await waitFor(async () => (await tables()).apiVersions.length > 0, {
      description: 'the whole lifecycle projected',
    });
    const before = await tables();
    await first.stop();
    // As if a lagging instance had committed an older checkpoint: everything after the first
    // scope commit (exceptions, deferrals, closing, cancelling) is replayed over rows holding it.
    const middle = await ctx.pool.query<{ transaction_id: string; position: string }>(
      `SELECT transaction_id::text, position::text FROM events WHERE event_type = 'ReleaseScopeCommitted'
        ORDER BY transaction_id, position LIMIT 1`,
    );
    const row = middle.rows[0];
    if (!row) throw new Error('no scope commit stored');
    await ctx.pool.query(
      'UPDATE projection_checkpoints SET checkpoint = $1 WHERE projection = $2',
      [
        formatCheckpoint({
          transactionId: BigInt(row.transaction_id),
          position: BigInt(row.position),
        }),
        PLANNING_PROJECTION,
      ],
    );
    const replaying = planningRunner();
    await replaying.start();
    await caughtUp(replaying, first.checkpoint);
    expect(await tables()).toEqual(before);
    expect(before).toEqual(expected(events));
    await replaying.stop();
  });

  it('resolves waitFor at once for an old checkpoint and false after the timeout for one never reached', async () => {
    const runner = planningRunner();
    await runner.start();
    expect(await runner.waitFor({ transactionId: 0n, position: 0n }, 10)).toBe(true);
    expect(await runner.waitFor({ transactionId: 10n ** 15n, position: 10n ** 15n }, 50)).toBe(
      false,
    );
    await runner.stop();
  });

  it('applies each event once when two instances run the projection side by side', async () => {
    if ((await ctx.pool.query('SELECT 1 FROM events LIMIT 1')).rowCount === 0) await append(events);
    await ctx.pool.query(
      'TRUNCATE workloads, releases, release_scope_items, api_versions; DELETE FROM projection_checkpoints',
    );
    const { rows } = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    const stored = rows[0];
    if (!stored) throw new Error('no events');
    const a = planningRunner();
    const b = planningRunner();
    await Promise.all([a.start(), b.start()]);
    const last = (
      await ctx.pool.query<{ t: string; p: string }>(
        'SELECT transaction_id::text AS t, position::text AS p FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1',
      )
    ).rows[0];
    const target = { transactionId: BigInt(last?.t ?? 0), position: BigInt(last?.p ?? 0) };
    await caughtUp(a, target);
    await caughtUp(b, target);
    expect(a.applied + b.applied).toBe(stored.n);
    expect(await tables()).toEqual(expected(events));
    await Promise.all([a.stop(), b.stop()]);
  });
});
