import { RuleViolation, type Command, type Decider, type DomainEvent } from '@trainyard/kernel';
import { createTestContext, type TestContext } from '@trainyard/testing';
import { commandMetadata, type CommandContext } from './command-context';
import { migrateEventStore } from './event-store.migrations';
import type { AppendResult, EventStore } from './event-store.types';
import { handleCommand, loadStream } from './handle-command';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore, type PostgresEventStore } from './postgres-event-store';
import { isWrongExpectedVersion } from './wrong-expected-version.error';

// A counter with a limit: enough to show load → decide → append and each option.
type Add = Command<'Add', { readonly amount: number }>;
type Added = DomainEvent<'Added', { readonly amount: number; readonly at: string }>;
interface Counter {
  readonly total: number;
}
const counter: Decider<Counter, Add, Added, { readonly limit: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
  decide: (command, state, { limit }) => {
    if (command.data.amount === 0) return [];
    if (state.total + command.data.amount > limit)
      throw new RuleViolation(
        'counter-limit',
        `${state.total} + ${command.data.amount} > ${limit}`,
      );
    return [{ type: 'Added', data: { amount: command.data.amount, at: command.metadata.now } }];
  },
};

const ctx: CommandContext = {
  actor: 'user:alice',
  correlationId: 'corr-1',
  reason: 'because',
  trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  now: '2031-01-01T00:00:00.000Z',
};
const add = (amount: number, c = ctx): Add => ({
  type: 'Add',
  data: { amount },
  metadata: commandMetadata(c),
});

describe('handleCommand (real PostgreSQL)', () => {
  let test: TestContext;
  let store: PostgresEventStore;

  beforeAll(async () => {
    test = await createTestContext('handle_command');
    await migrateEventStore(test.pool, test.schema);
    store = createEventStore(test.pool, test.schema);
  });

  afterAll(async () => {
    await store.close();
    await test.dispose();
  });

  it('loads, decides and appends with the expected version, filling every event metadata field from the context', async () => {
    const streamId = freshStreamId('counter');
    const appended: AppendResult[] = [];
    const options = { context: { limit: 10 }, onAppended: (r: AppendResult) => appended.push(r) };
    const first = await handleCommand(store, streamId, counter, add(3), ctx, options);
    const second = await handleCommand(store, streamId, counter, add(4), ctx, options);
    expect(first).toMatchObject({ state: { total: 3 }, loadedVersion: 0 });
    expect(second).toMatchObject({ state: { total: 7 }, loadedVersion: 1 });
    expect(appended.map((a) => a.nextExpectedVersion)).toEqual([1, 2]);
    const stored = await store.readStream(streamId);
    expect(stored.map((e) => e.data)).toEqual([
      { amount: 3, at: ctx.now },
      { amount: 4, at: ctx.now },
    ]);
    expect(stored[1]?.metadata).toEqual({
      eventId: second.eventIds[0],
      correlationId: 'corr-1',
      actor: 'user:alice',
      reason: 'because',
      trace: ctx.trace,
    });
  });

  it('appends nothing when the decider finds nothing to do, and nothing when it refuses', async () => {
    const streamId = freshStreamId('counter');
    await handleCommand(store, streamId, counter, add(9), ctx, { context: { limit: 10 } });
    const nothing = await handleCommand(store, streamId, counter, add(0), ctx, {
      context: { limit: 10 },
    });
    expect(nothing).toMatchObject({ events: [], eventIds: [], state: { total: 9 } });
    await expect(
      handleCommand(store, streamId, counter, add(2), ctx, { context: { limit: 10 } }),
    ).rejects.toMatchObject({ rule: 'counter-limit' });
    expect(await store.readStream(streamId)).toHaveLength(1);
  });

  it('decides again on the new state once when another writer appended in between', async () => {
    const streamId = freshStreamId('counter');
    await handleCommand(store, streamId, counter, add(1), ctx, { context: { limit: 10 } });
    let raced = false;
    // A store that lets a competing append in between this command's read and its append, once.
    const racing: EventStore = Object.assign(Object.create(store) as EventStore, {
      readStream: async (id: string) => {
        const events = await store.readStream(id);
        if (!raced) {
          raced = true;
          await store.append(id, [newEvent('Added', { amount: 5, at: ctx.now })], events.length);
        }
        return events;
      },
    });
    const handled = await handleCommand(racing, streamId, counter, add(2), ctx, {
      context: { limit: 10 },
    });
    expect(handled).toMatchObject({ loadedVersion: 2, state: { total: 8 } });
    expect((await store.readStream(streamId)).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
  });

  it('throws the conflict when the stream keeps moving (the caller answers ABORTED)', async () => {
    const streamId = freshStreamId('counter');
    const racing: EventStore = Object.assign(Object.create(store) as EventStore, {
      readStream: async (id: string) => {
        const events = await store.readStream(id);
        await store.append(
          id,
          [newEvent('Added', { amount: 1, at: ctx.now })],
          events.length || 'no_stream',
        );
        return events;
      },
    });
    const outcome = handleCommand(racing, streamId, counter, add(2), ctx, {
      context: { limit: 10 },
    });
    await expect(outcome).rejects.toMatchObject({ code: 'WRONG_EXPECTED_VERSION' });
    expect(isWrongExpectedVersion(await outcome.catch((e: unknown) => e))).toBe(true);
  });

  it('appends a new stream as no_stream without reading it, and falls back to load-then-decide when it exists', async () => {
    const streamId = freshStreamId('counter');
    let reads = 0;
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      readStream: (id: string) => {
        reads++;
        return store.readStream(id);
      },
    });
    const options = { context: { limit: 4 }, expectNew: true };
    await handleCommand(counting, streamId, counter, add(3), ctx, options);
    expect(reads).toBe(0);
    // Exists now: the fresh decision (3 ≤ 4) is not trusted; the real state (3 + 3 > 4) refuses.
    await expect(
      handleCommand(counting, streamId, counter, add(3), ctx, options),
    ).rejects.toMatchObject({
      rule: 'counter-limit',
    });
    expect(reads).toBe(1);
  });

  it('records the causation id, and with oncePerCausation does nothing when the stream already holds an event it caused', async () => {
    const streamId = freshStreamId('counter');
    const caused = { ...ctx, causationId: 'event-42' };
    const options = { context: { limit: 10 }, oncePerCausation: true };
    await handleCommand(store, streamId, counter, add(2, caused), caused, options);
    const again = await handleCommand(store, streamId, counter, add(2, caused), caused, options);
    expect(again.events).toEqual([]);
    const stored = await store.readStream(streamId);
    expect(stored.map((e) => e.metadata.causationId)).toEqual(['event-42']);
  });

  it('builds a command from the loaded state when given a function', async () => {
    const streamId = freshStreamId('counter');
    await handleCommand(store, streamId, counter, add(4), ctx, { context: { limit: 10 } });
    const handled = await handleCommand(
      store,
      streamId,
      counter,
      (state: Counter) => add(state.total),
      ctx,
      { context: { limit: 10 } },
    );
    expect(handled.command).toMatchObject({ data: { amount: 4 } });
    expect((await loadStream(store, streamId, counter)).state).toEqual({ total: 8 });
  });
});
