import { ConcurrencyConflict } from '@trainyard/kernel';
import type { ExpectedVersion } from './event-store.types';

/**
 * An append's expected version did not match the stream. Nothing of the append was stored.
 * It is the kernel's `ConcurrencyConflict`, so the platform maps it to gRPC ABORTED / HTTP 409
 * like any other: the caller reloads the stream and decides again.
 */
export class WrongExpectedVersion extends ConcurrencyConflict {
  readonly code = 'WRONG_EXPECTED_VERSION' as const;

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(
      `stream ${streamId}: expected version ${String(expected)}, actual ${actual}; reload and retry`,
    );
  }
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersion {
  return error instanceof WrongExpectedVersion;
}
