import { ConcurrencyConflict, isDomainError } from '@trainyard/kernel';
import { WrongExpectedVersion } from './wrong-expected-version.error';

describe('WrongExpectedVersion', () => {
  it('is the kernel’s concurrency conflict, so every adapter maps it like any domain error', () => {
    const error = new WrongExpectedVersion('release-R-1', 2, 3);
    expect(error).toBeInstanceOf(ConcurrencyConflict);
    expect(isDomainError(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'conflict',
      code: 'WRONG_EXPECTED_VERSION',
      streamId: 'release-R-1',
      actual: 3,
    });
    expect(error.message).toBe(
      'stream release-R-1: expected version 2, actual 3; reload and retry',
    );
  });
});
