/** UTC instant, ISO-8601 (`2031-05-04T09:00:00.000Z`). */
export type OverrideInstantV1 = string;

/** Who an override lifts a freeze for, or what a deployment touches; absent = every value. */
export interface OverrideScopeV1 {
  readonly trains?: readonly string[];
  readonly teams?: readonly string[];
  readonly environments?: readonly string[];
  readonly components?: readonly string[];
}
