import { sha256Hex } from '../canonical-json';

/**
 * Start-time jitter against thundering herds (issue 12, item 4): a run's start is delayed by
 * 0..startJitterSeconds, drawn from the run id rather than a random source, so every scheduler
 * instance computes the same `notBefore` for the same run and a replayed decision is identical.
 */
export const MAX_START_JITTER_SECONDS = 24 * 3600;

/** The delay in milliseconds, uniform in [0, startJitterSeconds × 1000], fixed per run id. */
export const startJitterMs = (runId: string, startJitterSeconds: number | undefined): number => {
  if (startJitterSeconds === undefined || startJitterSeconds <= 0) return 0;
  if (!Number.isFinite(startJitterSeconds) || startJitterSeconds > MAX_START_JITTER_SECONDS)
    throw new RangeError(
      `startJitterSeconds must be from 0 to ${MAX_START_JITTER_SECONDS}; got ${startJitterSeconds}`,
    );
  const span = Math.floor(startJitterSeconds * 1000) + 1;
  // 48 bits of the digest: uniform enough, and exact in a double.
  const draw = Number.parseInt(sha256Hex(`start-jitter:${runId}`).slice(0, 12), 16);
  return draw % span;
};

/** When the run may start: its nominal time plus its jitter (ISO, milliseconds). */
export const jitteredNotBefore = (
  runId: string,
  nominalTime: string,
  startJitterSeconds: number | undefined,
): string => {
  const nominal = Date.parse(nominalTime);
  if (Number.isNaN(nominal)) throw new RangeError(`nominalTime is not an instant: ${nominalTime}`);
  return new Date(nominal + startJitterMs(runId, startJitterSeconds)).toISOString();
};
