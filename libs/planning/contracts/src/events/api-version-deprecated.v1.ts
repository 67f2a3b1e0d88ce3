import type { InstantV1 } from './planning-values.v1';

/** An API version's deprecation (and removal date) was announced. Key `api-version-<api>@<version>`. */
export interface ApiVersionDeprecatedV1 {
  readonly api: string;
  readonly version: string;
  readonly deprecatedAt: InstantV1;
  /** Removal: workloads still consuming the version are refused and deferred after it. */
  readonly sunsetAt?: InstantV1;
  readonly reason: string;
  readonly deprecatedBy: string;
  readonly recordedAt: InstantV1;
}
