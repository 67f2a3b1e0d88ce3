import { LazyAbort } from './lazy-abort';

describe('LazyAbort', () => {
  it('a signal read before the abort is aborted with its reason', () => {
    const abort = new LazyAbort();
    const signal = abort.signal;
    let heard: unknown;
    signal.addEventListener('abort', () => {
      heard = signal.reason as unknown;
    });
    abort.abort(new Error('cancelled'));
    expect(signal.aborted).toBe(true);
    expect((heard as Error).message).toBe('cancelled');
  });

  it('a signal first read after the abort is already aborted, with the first reason', () => {
    const abort = new LazyAbort();
    abort.abort('timed out');
    abort.abort('cancelled');
    expect(abort.aborted).toBe(true);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe('timed out');
  });

  it('not aborted until asked', () => {
    const abort = new LazyAbort();
    expect(abort.aborted).toBe(false);
    expect(abort.signal.aborted).toBe(false);
  });
});
