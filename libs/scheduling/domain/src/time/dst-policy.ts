import { ValidationError, validateAll } from '@trainyard/kernel';

/** A wall time inside a spring-forward gap: `shift` reads it with the offset in force before the gap (02:30 → 03:30), `skip` drops it. */
export type GapPolicy = 'shift' | 'skip';
/** A wall time inside a fall-back overlap: the first instant, the last, or both. */
export type OverlapPolicy = 'first' | 'last' | 'both';

export interface DstPolicy {
  readonly gap: GapPolicy;
  readonly overlap: OverlapPolicy;
}

export const GAP_POLICIES: readonly GapPolicy[] = ['shift', 'skip'];
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['first', 'last', 'both'];

const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);

/**
 * The policy as given, or the defaults: gap `shift`; overlap `both` when the schedule runs every
 * hour (each repeated hour is a real hour of elapsed time), else `first` (a fixed hour runs once).
 */
export const resolveDstPolicy = (
  given: { gap?: string; overlap?: string },
  everyHour: boolean,
): DstPolicy => {
  const { gap, overlap } = given;
  // Both reported when both are wrong (validateAll).
  validateAll(
    () => {
      if (gap !== undefined && !isOneOf(GAP_POLICIES, gap))
        throw new ValidationError(
          'gap',
          `gap must be one of ${GAP_POLICIES.join(', ')}; got ${gap}`,
        );
    },
    () => {
      if (overlap !== undefined && !isOneOf(OVERLAP_POLICIES, overlap))
        throw new ValidationError(
          'overlap',
          `overlap must be one of ${OVERLAP_POLICIES.join(', ')}; got ${overlap}`,
        );
    },
  );
  // Checked above; the closures do not narrow these for the compiler.
  return {
    gap: (gap as GapPolicy | undefined) ?? 'shift',
    overlap: (overlap as OverlapPolicy | undefined) ?? (everyHour ? 'both' : 'first'),
  };
};
