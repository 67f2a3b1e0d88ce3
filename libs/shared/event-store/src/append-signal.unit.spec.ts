import { Pool } from 'pg';
import { AppendSignal } from './append-signal';

// In-process only (no cross-process signalling): the pool is never connected.
const inProcess = () => new AppendSignal(new Pool(), 'signal_unit', () => undefined, false, 20);

describe('AppendSignal (in-process wake-ups)', () => {
  it('given a subscriber of every type, when events of any type are appended, then it is woken each time', () => {
    const signal = inProcess();
    let wakes = 0;
    signal.subscribe(() => wakes++);
    signal.appended([{ type: 'A' }]);
    signal.appended([{ type: 'B' }, { type: 'C' }]);
    signal.appended();
    expect(wakes).toBe(3);
  });

  it('given a subscriber of some types, when an append holds none of them, then it is not woken; when one does, it is', () => {
    const signal = inProcess();
    let wakes = 0;
    signal.subscribe(() => wakes++, ['ReleaseCommitted', 'ReleaseClosed']);
    signal.appended([{ type: 'WorkloadRegistered' }]);
    expect(wakes).toBe(0);
    signal.appended([{ type: 'WorkloadRegistered' }, { type: 'ReleaseClosed' }]);
    expect(wakes).toBe(1);
  });

  it('given a typed subscriber, when an append comes without its types (unknown), then it is woken', () => {
    const signal = inProcess();
    let wakes = 0;
    signal.subscribe(() => wakes++, ['ReleaseCommitted']);
    signal.appended();
    expect(wakes).toBe(1);
  });

  it('given an unsubscribed waker, when events are appended, then it is not woken', () => {
    const signal = inProcess();
    let wakes = 0;
    const unsubscribe = signal.subscribe(() => wakes++, ['A']);
    unsubscribe();
    signal.appended([{ type: 'A' }]);
    expect(wakes).toBe(0);
  });
});
