import type { ExpectedVersion } from './event-store.types';

/**
 * An append's expected version did not match the stream. Nothing of the append was stored.
 * Services map it to gRPC ABORTED: the caller reloads the stream and decides again.
 */
export class WrongExpectedVersion extends Error {
  readonly code = 'WRONG_EXPECTED_VERSION' as const;
  readonly kind = 'concurrency' as const;

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedVersion';
  }
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersion {
  return error instanceof WrongExpectedVersion;
}
