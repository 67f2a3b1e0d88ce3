/**
 * What a test file started and has not stopped yet: services in this process and service
 * processes. The suite's test environment (jest/environment.js) stops whatever is still here when
 * the file ends, after its own hooks, and names it: a service left running (a start that finished
 * after its hook timed out, a test that failed before its stop) would otherwise keep consumers and
 * timers alive in jest's process, and jest would never exit.
 *
 * The registry lives on the test file's global object, which the environment also sees.
 */
export interface Running {
  readonly label: string;
  stop(): Promise<void>;
}

interface Registry {
  readonly running: Set<Running>;
  readonly starting: Set<Promise<unknown>>;
}

const KEY = '__TRAINYARD_RUNNING__';

function registry(): Registry {
  const holder = globalThis as unknown as Record<string, Registry | undefined>;
  return (holder[KEY] ??= { running: new Set(), starting: new Set() });
}

/** Tracks a start in flight, so the file's end waits for it (and then stops what it started). */
export function trackStart<T>(start: Promise<T>): Promise<T> {
  const { starting } = registry();
  starting.add(start);
  const untrack = () => starting.delete(start);
  start.then(untrack, untrack);
  return start;
}

/** Tracks something running; the returned function untracks it (call it when it is stopped). */
export function trackRunning(item: Running): () => void {
  const { running } = registry();
  running.add(item);
  return () => running.delete(item);
}
