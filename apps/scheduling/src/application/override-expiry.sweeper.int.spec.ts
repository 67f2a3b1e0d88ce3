import {
  createEventStore,
  handleCommand,
  isWrongExpectedVersion,
  migrateEventStore,
  type EventStore,
  type PostgresEventStore,
} from '@trainyard/event-store';
import {
  DEFAULT_OVERRIDE_POLICY,
  freezeOverrideDecider,
  freezeOverrideStream,
  type FreezeOverrideCommand,
} from '@trainyard/scheduling-domain';
import { ManualClock, createTestContext, type TestContext } from '@trainyard/testing';
import { OVERRIDE_SWEEPER_ACTOR, OverrideExpirySweeper } from './override-expiry.sweeper';

// Several service instances sweep at once: the event store's expected version lets one record
// the expiry; the other's append conflicts, it reloads, and the decider finds nothing to do.
let ctx: TestContext;
let store: PostgresEventStore;
const policy = DEFAULT_OVERRIDE_POLICY;

beforeAll(async () => {
  ctx = await createTestContext('sched_override_sweeper');
  await migrateEventStore(ctx.pool, ctx.schema);
  store = createEventStore(ctx.pool, ctx.schema);
});
afterAll(async () => {
  await store?.close();
  await ctx?.dispose();
});

const send = async (command: FreezeOverrideCommand) => {
  const { actor, now } = command.metadata;
  await handleCommand(
    store,
    freezeOverrideStream(command.data.overrideId),
    freezeOverrideDecider,
    command,
    { actor, now, correlationId: `c-${actor}-${now}` },
    { context: { policy } },
  );
};

/** An active override O over 10:00–14:00 on 4 May 2031, approved by two others. */
const activeOverride = async (overrideId: string) => {
  const now = '2031-05-04T09:00:00.000Z';
  await send({
    type: 'RequestFreezeOverride',
    data: {
      overrideId,
      freezeId: 'F-1',
      scope: { teams: ['storefront'], environments: ['prod'] },
      from: '2031-05-04T10:00:00Z',
      to: '2031-05-04T14:00:00Z',
      reason: 'Hotfix',
    },
    metadata: { now, actor: 'rita' },
  });
  for (const actor of ['bob', 'carol'])
    await send({ type: 'ApproveFreezeOverride', data: { overrideId }, metadata: { now, actor } });
};

/** Holds every first read of the stream until `parties` readers have read: a forced race. */
const racingStore = (parties: number) => {
  let waiting = 0;
  let release: () => void = () => undefined;
  const allRead = new Promise<void>((resolve) => (release = resolve));
  const stats = { conflicts: 0 };
  const wrapped: EventStore = Object.create(store) as EventStore;
  Object.assign(wrapped, {
    readStream: async (...args: Parameters<EventStore['readStream']>) => {
      const events = await store.readStream(...args);
      if (++waiting === parties) release();
      await allRead;
      return events;
    },
    append: async (...args: Parameters<EventStore['append']>) => {
      try {
        return await store.append(...args);
      } catch (error) {
        if (isWrongExpectedVersion(error)) stats.conflicts++;
        throw error;
      }
    },
  });
  return { store: wrapped, stats };
};

describe('override expiry sweeper', () => {
  it('two instances sweeping at once record the expiry and open the review exactly once', async () => {
    const overrideId = `O-race-${Date.now()}`;
    await activeOverride(overrideId);
    const clock = new ManualClock('2031-05-04T14:05:00.000Z');
    const race = racingStore(2);
    const sweeper = () =>
      new OverrideExpirySweeper({
        store: race.store,
        clock,
        policy,
        intervalMs: 60_000,
        candidates: () => Promise.resolve([overrideId]),
      });

    const expired = await Promise.all([sweeper().sweep(), sweeper().sweep()]);

    expect(expired.sort()).toEqual([0, 1]);
    expect(race.stats.conflicts).toBe(1);
    const stream = await store.readStream(freezeOverrideStream(overrideId));
    expect(stream.map((e) => e.type).slice(-2)).toEqual([
      'FreezeOverrideExpired',
      'OverrideReviewOpened',
    ]);
    expect(stream.filter((e) => e.type === 'FreezeOverrideExpired')).toHaveLength(1);
    expect(stream.at(-1)?.metadata.actor).toBe(OVERRIDE_SWEEPER_ACTOR);
  });

  it('records nothing before `to`, and nothing the second time', async () => {
    const overrideId = `O-early-${Date.now()}`;
    await activeOverride(overrideId);
    const clock = new ManualClock('2031-05-04T13:59:59.000Z');
    const warnings: string[] = [];
    const sweeper = new OverrideExpirySweeper({
      store,
      clock,
      policy,
      intervalMs: 60_000,
      candidates: () => Promise.resolve([overrideId]),
      warn: (message) => warnings.push(message),
    });
    expect(await sweeper.sweep()).toBe(0);
    expect(warnings).toEqual([expect.stringContaining('runs until 2031-05-04T14:00:00.000Z')]);
    clock.set('2031-05-04T14:00:00.000Z');
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0);
    const stream = await store.readStream(freezeOverrideStream(overrideId));
    expect(stream.filter((e) => e.type === 'FreezeOverrideExpired')).toHaveLength(1);
  });
});
