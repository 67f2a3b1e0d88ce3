import type { TaskExecution } from '../runtime-ports';

/**
 * What every executor does around its work: one AbortSignal that fires at the task's timeout or
 * when the runtime cancels, and heartbeats while the work runs (a long HTTP call or command is not
 * mistaken for a lost worker).
 */
export interface ExecutionScope {
  readonly signal: AbortSignal;
  /** Whether the task's own time limit fired (→ 'timed-out'), as opposed to a cancellation. */
  timedOut(): boolean;
  close(): void;
}

export const HEARTBEAT_INTERVAL_MS = 1_000;

export const openExecutionScope = (execution: TaskExecution): ExecutionScope => {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${execution.timeoutMs} ms`));
    },
    Math.max(1, execution.timeoutMs),
  );
  const onCancel = () => {
    const reason: unknown = execution.signal.reason;
    // The runtime's own deadline arrives as a TimeoutError: still a time-out.
    if (reason instanceof DOMException && reason.name === 'TimeoutError') timedOut = true;
    controller.abort(reason);
  };
  if (execution.signal.aborted) onCancel();
  else execution.signal.addEventListener('abort', onCancel, { once: true });
  const beat = setInterval(() => execution.heartbeat(), HEARTBEAT_INTERVAL_MS);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    close: () => {
      clearTimeout(timer);
      clearInterval(beat);
      execution.signal.removeEventListener('abort', onCancel);
    },
  };
};

/** A short reason for a detail line. */
export const reasonOf = (error: unknown): string => {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
};

/** Cuts a detail to a line a run tree can show. */
export const shortDetail = (text: string, max = 500): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;
