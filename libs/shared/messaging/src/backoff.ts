export interface BackoffOptions {
  /** Delay after the first failure. */
  readonly initialMs: number;
  /** Upper bound of the doubling delay. */
  readonly maxMs: number;
}

/** Delay before retry number `attempt` (1-based): initialMs, doubling, capped at maxMs. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(maxMs, initialMs * 2 ** exponent);
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects): loops check the signal themselves. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
