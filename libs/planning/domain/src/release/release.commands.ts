import type { Plan } from '../allocation/allocation.types';
import type { Command } from '@trainyard/kernel';

export interface ReleaseWindow {
  readonly start: string; // ISO-8601
  readonly end: string;
}

/** An approved deviation from committed scope. */
export interface ScopeException {
  readonly reason: string;
  readonly approver: string;
}

export type PlanRelease = Command<
  'PlanRelease',
  { readonly releaseId: string; readonly trainId: string; readonly window: ReleaseWindow }
>;

/** In Planning this records the negotiated outcome; after commit it needs an exception and the workload's size. */
export type IncludeWorkload = Command<
  'IncludeWorkload',
  {
    readonly releaseId: string;
    readonly workloadId: string;
    readonly team?: string;
    readonly jobSize?: number;
    readonly exception?: ScopeException;
  }
>;

export type ExcludeWorkload = Command<
  'ExcludeWorkload',
  { readonly releaseId: string; readonly workloadId: string; readonly exception?: ScopeException }
>;

/** Commits the scope of an allocation `Plan` computed for this release (only a release in planning has one). */
export type CommitScope = Command<
  'CommitScope',
  { readonly releaseId: string; readonly plan?: Plan }
>;

/**
 * Opens a release on an independent track carrying one urgent workload, outside batching. Empty
 * team, 0 job size, severity or incident default to the registered workload's profile (context).
 */
export type RequestEmergencyPatch = Command<
  'RequestEmergencyPatch',
  {
    readonly releaseId: string;
    readonly trackId: string;
    readonly workloadId: string;
    readonly team: string;
    readonly jobSize: number;
    readonly severity?: number;
    readonly linkedIncident?: string;
    readonly approver?: string;
  }
>;

export type CloseRelease = Command<
  'CloseRelease',
  {
    readonly releaseId: string;
    /** jobSize 0 = as planned (the size committed for the workload). */
    readonly completed: readonly { readonly workloadId: string; readonly jobSize: number }[];
  }
>;

/** The reason comes from `metadata.reason` and is required. */
export type CancelRelease = Command<'CancelRelease', { readonly releaseId: string }>;

export type ReleaseCommand =
  | PlanRelease
  | IncludeWorkload
  | ExcludeWorkload
  | CommitScope
  | RequestEmergencyPatch
  | CloseRelease
  | CancelRelease;
