import {
  commandMetadata,
  createEventStore,
  handleCommand,
  loadStream,
  migrateEventStore,
  type CommandContext,
  type PostgresEventStore,
} from '@trainyard/event-store';
import { migrateMessaging, type Reactor } from '@trainyard/messaging';
import {
  releaseDecider,
  workloadDecider,
  type PlanEntry,
  type ReleaseCommand,
  type ReleaseEvent,
  type WorkloadCommand,
} from '@trainyard/planning-domain';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { SERVICE_PLANNING_POLICY as policy } from '../config/planning-policy';
import { releaseStream, workloadStream } from './planning-streams';
import { RELEASE_REACTOR_NAME, createReleaseReactor } from './release-reactions';

import { FAST, ctxAt, entry, planOf, registration } from './release-reactions.fixture';

/**
 * The crash the reactor exists for: the release event is stored, then the process dies before
 * any (or before every) workload append. Nobody retries the command; a reactor started later
 * must bring every workload to the state the release decided.
 */
describe('release → workload reactions after a crash (real PostgreSQL)', () => {
  let test: TestContext;
  let store: PostgresEventStore;
  const reactors: Reactor<ReleaseEvent, WorkloadCommand>[] = [];

  const startReactor = () => {
    const reactor = createReleaseReactor({
      pool: test.pool,
      store,
      schema: test.schema,
      policy,
      ...FAST,
    });
    reactors.push(reactor);
    reactor.start();
    return reactor;
  };
  const stopReactors = async () => {
    for (const reactor of reactors.splice(0)) await reactor.stop();
  };
  const workload = async (id: string) =>
    (await loadStream(store, workloadStream(id), workloadDecider)).state;
  const workloadEvents = (id: string) => store.readStream(workloadStream(id));
  const register = (id: string) =>
    handleCommand(
      store,
      workloadStream(id),
      workloadDecider,
      {
        type: 'RegisterWorkload',
        data: registration(id),
        metadata: commandMetadata(ctxAt('2031-01-01T00:00:00Z')),
      },
      ctxAt('2031-01-01T00:00:00Z'),
      { context: { policy }, expectNew: true },
    );
  /** The release's own append only: what a process dying right after it leaves behind. */
  const decideRelease = async (
    releaseId: string,
    command: (ctx: CommandContext) => ReleaseCommand,
    ctx: CommandContext,
  ) =>
    handleCommand(store, releaseStream(releaseId), releaseDecider, command(ctx), ctx, {
      context: { policy },
    });
  const planAndCommit = async (releaseId: string, entries: readonly PlanEntry[]) => {
    const ctx = ctxAt('2031-01-02T00:00:00Z', 'PI planning');
    await decideRelease(
      releaseId,
      (c) => ({
        type: 'PlanRelease',
        data: {
          releaseId,
          trainId: 'main',
          window: { start: '2031-02-01T00:00:00Z', end: '2031-02-14T00:00:00Z' },
        },
        metadata: commandMetadata(c),
      }),
      ctx,
    );
    return decideRelease(
      releaseId,
      (c) => ({
        type: 'CommitScope',
        data: { releaseId, plan: planOf(releaseId, entries) },
        metadata: commandMetadata(c),
      }),
      ctx,
    );
  };

  beforeAll(async () => {
    test = await createTestContext('release_reactions');
    await migrateEventStore(test.pool, test.schema);
    await migrateMessaging(test.pool, test.schema);
    store = createEventStore(test.pool, test.schema);
    for (const id of ['W-1', 'W-2', 'W-3', 'W-4', 'W-5']) await register(id);
  });

  afterEach(stopReactors);

  afterAll(async () => {
    await stopReactors();
    await store.close();
    await test.dispose();
  });

  it('converges every workload of a commit whose process died right after the release append', async () => {
    const committed = await planAndCommit('R-1', [
      entry('W-1', 'included', 1),
      entry('W-2', 'included', 2),
      entry('W-3', 'deferred', 3),
    ]);
    const commitEventId = committed.eventIds[0];
    for (const id of ['W-1', 'W-2', 'W-3']) expect(await workloadEvents(id)).toHaveLength(1);

    startReactor();

    await waitFor(
      async () =>
        (await workload('W-3')).status === 'Backlog' && (await workloadEvents('W-3')).length === 2,
      {
        description: 'W-3 deferred by the reactor',
      },
    );
    await waitFor(async () => (await workload('W-2')).status === 'Planned', {
      description: 'W-2 planned',
    });
    expect(await workload('W-1')).toMatchObject({ status: 'Planned', releaseId: 'R-1' });
    expect(await workload('W-3')).toMatchObject({ deferralCount: 1, lastDeferredFrom: 'R-1' });
    const planned = (await workloadEvents('W-1'))[1];
    expect(planned).toMatchObject({
      type: 'WorkloadPlanned',
      data: { plannedAt: '2031-01-02T00:00:00Z' },
      metadata: {
        causationId: commitEventId,
        correlationId: 'corr-2031-01-02T00:00:00Z',
        actor: 'alice',
        reason: 'W-1 fits',
      },
    });
    expect((await workloadEvents('W-3'))[1]?.metadata).toMatchObject({
      causationId: commitEventId,
      reason: 'W-3 over capacity',
    });
  });

  it('finishes a close cut short between two workload appends, without repeating the one done', async () => {
    const ctx = ctxAt('2031-02-14T00:00:00Z', 'end of PI');
    const closed = await decideRelease(
      'R-1',
      (c) => ({
        type: 'CloseRelease',
        // 0 = as planned: W-1 was committed at 3.
        data: { releaseId: 'R-1', completed: [{ workloadId: 'W-1', jobSize: 0 }] },
        metadata: commandMetadata(c),
      }),
      ctx,
    );
    const closeEventId = closed.eventIds[0] as string;
    // The first reaction (W-1 completed) got stored, then the process died before W-2's deferral.
    await handleCommand(
      store,
      workloadStream('W-1'),
      workloadDecider,
      {
        type: 'CompleteWorkload',
        data: { workloadId: 'W-1', releaseId: 'R-1', completedJobSize: 3 },
        metadata: commandMetadata(ctx),
      },
      { ...ctx, causationId: closeEventId },
      { context: { policy } },
    );

    const reactor = startReactor();

    await waitFor(async () => (await workload('W-2')).status === 'Backlog', {
      description: 'W-2 deferred',
    });
    await waitFor(
      () =>
        reactor.checkpoint !== undefined && reactor.stats.recorded + reactor.stats.unchanged >= 1,
      {
        description: 'the reactor to store its checkpoint',
      },
    );
    expect(await workload('W-1')).toMatchObject({ status: 'Completed', releaseId: 'R-1' });
    expect(
      (await workloadEvents('W-1')).filter((e) => e.type === 'WorkloadCompleted'),
    ).toHaveLength(1);
    expect((await workloadEvents('W-2')).at(-1)).toMatchObject({
      type: 'WorkloadDeferred',
      data: { releaseId: 'R-1', reason: 'not completed in release R-1', deferralCount: 1 },
      metadata: { causationId: closeEventId },
    });
  });

  it('records a refused reaction with its rule and moves on to the next command and event', async () => {
    const committed = await planAndCommit('R-2', [
      entry('W-4', 'included', 1),
      entry('W-5', 'included', 2),
    ]);
    // Before any reactor runs, W-4 is withdrawn: planning it is now refused (workload-open).
    await handleCommand(
      store,
      workloadStream('W-4'),
      workloadDecider,
      {
        type: 'WithdrawWorkload',
        data: { workloadId: 'W-4' },
        metadata: commandMetadata(ctxAt('2031-01-03T00:00:00Z', 'duplicate')),
      },
      ctxAt('2031-01-03T00:00:00Z', 'duplicate'),
      { context: { policy } },
    );
    const cancelled = await decideRelease(
      'R-2',
      (c) => ({
        type: 'CancelRelease',
        data: { releaseId: 'R-2' },
        metadata: commandMetadata(c),
      }),
      ctxAt('2031-01-04T00:00:00Z', 'train skipped'),
    );

    const reactor = startReactor();

    await waitFor(async () => (await workloadEvents('W-5')).length === 3, {
      description: 'W-5 planned, then deferred by the cancel',
    });
    // The cancel's inbox row commits after its last command (W-5's deferral): wait for it too.
    const handled = await waitFor(
      async () => {
        const inbox = await test.pool.query<{ event_id: string }>(
          `SELECT event_id FROM inbox WHERE consumer_group = $1`,
          [`reactor:${RELEASE_REACTOR_NAME}`],
        );
        const ids = inbox.rows.map((r) => r.event_id);
        return ids.includes(cancelled.eventIds[0]!) ? ids : undefined;
      },
      { description: 'the cancel handled (its inbox row)' },
    );
    expect(handled).toEqual(expect.arrayContaining([committed.eventIds[0], cancelled.eventIds[0]]));
    expect(await workload('W-5')).toMatchObject({ status: 'Backlog', lastDeferredFrom: 'R-2' });
    expect(await workload('W-4')).toMatchObject({ status: 'Withdrawn' });
    expect(reactor.stats.refused).toBe(2); // planning and deferring the withdrawn W-4
  });

  it('does nothing for events a reactor has already handled: a restarted reactor leaves the streams as they are', async () => {
    const before = await Promise.all(
      ['W-1', 'W-2', 'W-3', 'W-4', 'W-5'].map(async (id) => (await workloadEvents(id)).length),
    );
    await test.pool.query(`DELETE FROM relay_checkpoints WHERE name = $1`, [
      `reactor:${RELEASE_REACTOR_NAME}`,
    ]);
    const reactor = startReactor();
    await waitFor(() => reactor.checkpoint !== undefined, {
      description: 'the reactor to read the store to its end',
    });
    const after = await Promise.all(
      ['W-1', 'W-2', 'W-3', 'W-4', 'W-5'].map(async (id) => (await workloadEvents(id)).length),
    );
    expect(after).toEqual(before);
  });
});
