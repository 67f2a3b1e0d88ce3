import type { Command } from '@trainyard/kernel';

/**
 * Announces that `api` `version` is deprecated from `deprecatedAt`, and removed at `sunsetAt` when
 * given. The reason (`metadata.reason`) is required: consumers are told why they must move.
 */
export type DeprecateApiVersion = Command<
  'DeprecateApiVersion',
  {
    readonly api: string;
    readonly version: string;
    readonly deprecatedAt: string;
    readonly sunsetAt?: string;
  }
>;

export type ApiVersionCommand = DeprecateApiVersion;
