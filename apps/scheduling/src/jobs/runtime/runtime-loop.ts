import type { RuntimeContext } from './runtime-context';
import { describe } from './runtime-records';
import type { Wakeable } from './wakeable';

/** The longest a loop sleeps without a wake-up. */
const MAX_LOOP_SLEEP_MS = 60_000;

/**
 * One of the runtime's loops (tick, admit, dispatch, flush): runs `body` until stopped, again at
 * once when it returns 0, else sleeps for the wait it returned (woken earlier by its waker); an
 * error is reported and retried with backoff.
 */
export async function runLoop(
  ctx: RuntimeContext,
  name: string,
  waker: Wakeable,
  body: () => Promise<number | undefined>,
  isStopped: () => boolean,
): Promise<void> {
  let backoff = 50;
  while (!isStopped()) {
    let wait: number | undefined;
    try {
      wait = await body();
      backoff = 50;
    } catch (error) {
      if (isStopped()) break;
      ctx.o.onError(new Error(`job runtime ${name}: ${describe(error)}`));
      wait = backoff;
      backoff = Math.min(backoff * 2, 2_000);
    }
    if (wait === 0) continue;
    // Bounded: a run buffered or deferred far ahead (not_before in 9999) must not overflow
    // setTimeout (it would fire after 1 ms, a busy loop); a commit wakes the loop earlier anyway.
    await waker.sleep(Math.max(0, Math.min(wait ?? ctx.o.idleMs, MAX_LOOP_SLEEP_MS)));
  }
}
