import type { JobManifest } from '../job-manifest';

/**
 * Pre-claimed slots (issue 12, cron fire lag): a slot recorded within the tick's look-ahead is
 * leased to the instance that recorded it, which starts its root tasks from memory at the slot's
 * start time instead of going through admission and a claim. Pure rules; the runtime does the I/O.
 */

/**
 * Why a job's slots cannot be started from memory (undefined: they can). What is decided only at
 * the start time from state elsewhere stays on the admission path: the run gate (maintenance
 * windows, freezes) for a job with `components`, backpressure, and pool slots of a root task.
 */
export const preclaimObstacle = (manifest: JobManifest): string | undefined => {
  if ((manifest.components?.length ?? 0) > 0) return 'run gate (components)';
  if ((manifest.backpressure?.length ?? 0) > 0) return 'backpressure';
  const roots = manifest.tasks.filter((t) => t.dependsOn.length === 0);
  if (roots.some((t) => (t.pools?.length ?? 0) > 0)) return 'pool slots';
  return undefined;
};

/** The pre-claim's lease runs out this long after the run's start time (`notBefore`). */
export const preclaimExpiry = (notBeforeMs: number, graceMs: number): number =>
  notBeforeMs + graceMs;

/**
 * The holder may start the run from memory: its own clock is still `marginMs` short of the
 * lease's expiry. The margin covers clock skew between instances and the time the holder takes to
 * record the start: another instance takes the run over only once the lease has expired on its
 * clock, so a holder that stalled (GC pause, frozen VM) past the margin never fires and leaves the
 * run to the takeover.
 */
export const mayFireFromMemory = (nowMs: number, expiresMs: number, marginMs: number): boolean =>
  nowMs + marginMs < expiresMs;

/**
 * Whether a slot found by the tick is pre-claimed: only a slot ahead of `now` (within the
 * look-ahead), whose overlap verdict is to start, that is not buffered, of a job without an
 * obstacle, on an instance that executes tasks.
 */
export const shouldPreclaim = (slot: {
  readonly nominalMs: number;
  readonly nowMs: number;
  readonly overlap: 'start' | 'other';
  readonly manifest: JobManifest;
  readonly executes: boolean;
  readonly graceMs: number;
}): boolean =>
  slot.executes &&
  slot.graceMs > 0 &&
  slot.nominalMs > slot.nowMs &&
  slot.overlap === 'start' &&
  preclaimObstacle(slot.manifest) === undefined;
