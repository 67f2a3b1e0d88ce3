import {
  START_CHECKPOINT,
  checkpointOf,
  compareCheckpoints,
  formatCheckpoint,
  maxCheckpoint,
  parseCheckpoint,
} from './checkpoint';

const at = (transactionId: bigint, position: bigint) => ({ transactionId, position });

describe('compareCheckpoints', () => {
  it('orders by transaction id first, then position', () => {
    expect(compareCheckpoints(at(5n, 100n), at(6n, 1n))).toBe(-1);
    expect(compareCheckpoints(at(6n, 1n), at(5n, 100n))).toBe(1);
    expect(compareCheckpoints(at(5n, 1n), at(5n, 2n))).toBe(-1);
    expect(compareCheckpoints(at(5n, 2n), at(5n, 2n))).toBe(0);
  });

  it('puts the start before every event', () => {
    expect(compareCheckpoints(START_CHECKPOINT, at(1n, 1n))).toBe(-1);
  });

  it('is exact beyond 2^53', () => {
    expect(compareCheckpoints(at(2n ** 53n, 0n), at(2n ** 53n + 1n, 0n))).toBe(-1);
  });
});

describe('maxCheckpoint', () => {
  it('returns the later one', () => {
    expect(maxCheckpoint(at(5n, 9n), at(6n, 1n))).toEqual(at(6n, 1n));
    expect(maxCheckpoint(at(6n, 1n), at(5n, 9n))).toEqual(at(6n, 1n));
  });
});

describe('checkpointOf', () => {
  it('keeps only the pair', () => {
    expect(checkpointOf({ transactionId: 7n, position: 3n })).toEqual(at(7n, 3n));
  });
});

describe('formatCheckpoint / parseCheckpoint', () => {
  it('round-trip, including values beyond 2^53', () => {
    const checkpoint = at(2n ** 60n + 3n, 2n ** 62n + 1n);
    expect(formatCheckpoint(checkpoint)).toBe('1152921504606846979:4611686018427387905');
    expect(parseCheckpoint(formatCheckpoint(checkpoint))).toEqual(checkpoint);
    expect(parseCheckpoint('0:0')).toEqual(START_CHECKPOINT);
  });

  it.each(['', '1', '1:', ':1', '-1:2', '1:2:3', 'a:b', ' 1:2'])('refuses %j', (text) => {
    expect(() => parseCheckpoint(text)).toThrow('invalid checkpoint');
  });
});
