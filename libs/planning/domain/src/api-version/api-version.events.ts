import type { DomainEvent } from '@trainyard/kernel';

export type ApiVersionDeprecated = DomainEvent<
  'ApiVersionDeprecated',
  {
    readonly api: string;
    readonly version: string;
    readonly deprecatedAt: string;
    /** After it the version is removed: workloads still consuming it are refused and deferred. */
    readonly sunsetAt?: string;
    readonly reason: string;
    readonly deprecatedBy: string;
    readonly recordedAt: string;
  }
>;

export type ApiVersionEvent = ApiVersionDeprecated;
