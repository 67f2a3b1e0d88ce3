// Value types shared by several planning integration events, version 1. Plain data: what is on
// the wire (JSON), not the domain's types, so a domain refactor cannot change them by accident.

/** RFC 3339 / ISO-8601 instant, e.g. `2026-11-02T09:00:00.000Z`. */
export type InstantV1 = string;

export type ChangeTypeV1 =
  | 'net-new-feature'
  | 'configuration-only'
  | 'defect-fix'
  | 'technical-debt'
  | 'compliance-audit'
  | 'emergency-patch';

export type RiskTierV1 = 'low' | 'medium' | 'high';

export type RegulatedDataClassV1 = 'pii' | 'financial' | 'health';

export interface ComponentV1 {
  readonly name: string;
  readonly kind: 'service' | 'database' | 'infrastructure';
}

export interface ApiContractV1 {
  readonly api: string;
  readonly version: string;
}

/** A shared library at a strict semantic version (`1.4.2`, `2.0.0-rc.1`). */
export interface SharedLibraryV1 {
  readonly name: string;
  readonly version: string;
}

/** One shared library shipped at more than one version by the workloads of one release. */
export interface VersionSkewV1 {
  readonly library: string;
  /** The newest version shipped in the release; the others are reconciled with it. */
  readonly target: string;
  /** Ascending by semantic version. */
  readonly versions: readonly {
    readonly version: string;
    readonly workloadIds: readonly string[];
  }[];
  readonly teams: readonly string[];
  /** One per version older than the target, oldest first. */
  readonly resolutions: readonly {
    readonly version: string;
    readonly action: 'align' | 'backport';
    /** The version line the resolution lands on, e.g. `1.2.x`. */
    readonly line: string;
    readonly workloadIds: readonly string[];
    readonly reason: string;
  }[];
  readonly reason: string;
}

export interface TeamDeliveryV1 {
  readonly team: string;
  /** Planned work completed: what velocity is measured on. */
  readonly completedJobSize: number;
  /** Emergency patches and post-commit exceptions; reported, not velocity. */
  readonly unplannedJobSize: number;
  readonly plannedJobSize: number;
}
