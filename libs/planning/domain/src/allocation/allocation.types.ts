import type { ReleaseHistoryEntry } from '../capacity/velocity';
import type { ChangeType, PlanningPolicy } from '../policy/planning-policy';
import type { ApiVersionLifecycle, DeprecationFlag } from '../dependencies/api-deprecation';
import type { VersionSkew } from '../dependencies/version-skew';
import type { ApiContract, Component, SharedLibrary } from '../policy/workload-facts';

/** A backlog workload as allocation sees it (see `toAllocationCandidate`). */
export interface AllocationCandidate {
  readonly workloadId: string;
  readonly team: string;
  readonly jobSize: number;
  readonly businessValue: number;
  readonly timeCriticality: number;
  readonly riskReduction: number;
  readonly changeType: ChangeType;
  readonly registeredAt: string;
  readonly dependsOn: readonly string[];
  readonly components: readonly Component[];
  readonly schemaChange: boolean;
  readonly apiContract?: ApiContract;
  readonly featureFlag?: string;
  readonly libraries?: readonly SharedLibrary[];
  /** API versions it calls; one removed by the release (see `asOf`) defers it. */
  readonly consumedApis?: readonly ApiContract[];
}

export interface AllocationInput {
  readonly release: { readonly releaseId: string; readonly trainId: string };
  readonly candidates: readonly AllocationCandidate[];
  /** Per-team capacity; a team missing here gets its cold-start capacity. Derived from `history` when absent. */
  readonly capacityByTeam?: Readonly<Record<string, number>>;
  readonly history?: readonly ReleaseHistoryEntry[];
  readonly policy?: PlanningPolicy;
  /** Dependencies outside the candidates are satisfied only when already released. */
  readonly releasedWorkloadIds?: readonly string[];
  /** Outcome of scope negotiation while the release was in Planning. */
  readonly negotiated?: {
    readonly include?: readonly string[];
    readonly exclude?: readonly string[];
  };
  /** Announced API deprecations; with `asOf`, a candidate consuming a removed version is deferred. */
  readonly apiLifecycles?: readonly ApiVersionLifecycle[];
  /** When the release ships (its window start): what "removed" and "deprecated" are judged at. */
  readonly asOf?: string;
  /** Capacity planned and tech-debt delivered earlier this quarter, for the quarterly reserve. */
  readonly quarterToDate?: { readonly capacity: number; readonly techDebt: number };
}

export type Decision = 'included' | 'deferred';

export interface PlanEntry {
  readonly workloadId: string;
  readonly team: string;
  readonly jobSize: number;
  readonly changeType: ChangeType;
  readonly decision: Decision;
  readonly reason: string;
  readonly wsjf: number;
  readonly costOfDelay: number;
  /** 1-based position in the order allocation considered the candidates. */
  readonly order: number;
}

export type PlanAlert =
  | {
      readonly type: 'ComplianceGuaranteeMissed';
      readonly workloadId: string;
      readonly team: string;
      readonly reason: string;
    }
  | {
      readonly type: 'ContractGroupSplit';
      readonly contract: string;
      readonly included: readonly string[];
      readonly deferred: readonly string[];
      readonly reason: string;
    }
  | {
      /** The preferred deployment order (contract groups together, schema first) contradicts a dependency. */
      readonly type: 'DeploymentOrderConflict';
      readonly reason: string;
    };

/** Different teams touching one component in one release: plan integrated testing. */
export interface CouplingFlag {
  readonly component: string;
  readonly teams: readonly string[];
  readonly workloadIds: readonly string[];
  readonly reason: string;
}

/** Included workloads changing one API contract version, which must deploy together. */
export interface ContractGroup {
  readonly contract: string; // `${api}@${version}`
  readonly workloadIds: readonly string[];
  /** Behind a feature flag, so they can deploy ahead of the switch-over instead. */
  readonly decoupledByFlag: readonly string[];
}

export interface DeploymentStep {
  readonly workloadId: string;
  /** Waves deploy in ascending order; a workload's wave is after every prerequisite's. */
  readonly wave: number;
  readonly contract?: string;
}

export interface TeamAllocation {
  readonly team: string;
  readonly capacity: number;
  /** min(capacity, team cap share × release capacity). */
  readonly limit: number;
  readonly used: number;
}

export interface Plan {
  readonly releaseId: string;
  readonly trainId: string;
  readonly policyVersion: string;
  readonly entries: readonly PlanEntry[];
  readonly capacityUsed: number;
  readonly capacityTotal: number;
  readonly teams: readonly TeamAllocation[];
  readonly techDebt: {
    readonly reserve: number;
    readonly used: number;
    readonly returnedToFeatures: number;
  };
  readonly alerts: readonly PlanAlert[];
  readonly couplingFlags: readonly CouplingFlag[];
  /** Shared libraries the included workloads ship at different versions, with how to reconcile them. */
  readonly versionSkews: readonly VersionSkew[];
  /** Included workloads consuming a deprecated API version (removed ones are deferred). */
  readonly deprecationFlags: readonly DeprecationFlag[];
  readonly contractGroups: readonly ContractGroup[];
  readonly deploymentOrder: readonly DeploymentStep[];
}
