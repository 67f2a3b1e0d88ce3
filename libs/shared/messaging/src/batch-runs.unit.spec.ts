import { nextBatchRun } from './batch-runs';
import type { ConsumedMessage } from './message-bus.port';
import { testCloudEventMessage } from './messaging.fixture';

const consumed = (offset: number, value?: Buffer): ConsumedMessage => {
  const m = testCloudEventMessage(`release-${offset}`, { offset });
  return {
    topic: 't',
    partition: 0,
    offset: String(offset),
    timestamp: '0',
    key: m.key,
    value: value ?? m.value,
    headers: value ? {} : { ...m.headers },
  };
};

describe('nextBatchRun', () => {
  const batch = [0, 1, 2, 3, 4, 5, 6].map((i) => consumed(i));
  const offsets = (run: { run: readonly { message: ConsumedMessage }[] }) =>
    run.run.map((i) => i.message.offset);

  it('takes the whole rest of the batch as one run when no limit is given', () => {
    const next = nextBatchRun(batch, 2);
    expect(next.kind === 'run' && offsets(next)).toEqual(['2', '3', '4', '5', '6']);
    expect(next.next).toBe(7);
  });

  it('cuts a batch into runs of at most maxRun events, in order', () => {
    const runs: string[][] = [];
    for (let i = 0; i < batch.length;) {
      const next = nextBatchRun(batch, i, 3);
      if (next.kind !== 'run') throw new Error('all valid');
      runs.push(offsets(next));
      i = next.next;
    }
    expect(runs).toEqual([['0', '1', '2'], ['3', '4', '5'], ['6']]);
  });

  it('ends a run before a message that is not a CloudEvent, which comes on its own', () => {
    const mixed = [consumed(0), consumed(1), consumed(2, Buffer.from('not json')), consumed(3)];
    const first = nextBatchRun(mixed, 0, 5);
    expect(first.kind === 'run' && offsets(first)).toEqual(['0', '1']);
    const invalid = nextBatchRun(mixed, first.next, 5);
    expect(invalid.kind === 'invalid' && invalid.message.offset).toBe('2');
    expect(invalid.next).toBe(3);
  });
});
