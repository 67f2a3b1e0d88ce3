import type { Command, DomainEvent } from '@trainyard/kernel';
import type { JobManifest } from './job-manifest';
import type { JobManifestChange } from './job-manifest.diff';

// ---- commands ---------------------------------------------------------------------------------

/** Apply a manifest as parsed from a file (validated here); the author is `metadata.actor`. */
export type ApplyJobManifest = Command<'ApplyJobManifest', { readonly manifest: unknown }>;
/** Approve the pending proposal of job `name`; `digest` is the one the approver reviewed. */
export type ApproveJobManifest = Command<
  'ApproveJobManifest',
  { readonly name: string; readonly digest: string }
>;
/** Make version `toVersion` running again, as a new version. */
export type RollBackJobManifest = Command<
  'RollBackJobManifest',
  { readonly name: string; readonly toVersion: number }
>;
/**
 * Deprecate job `name` (issue 12, item 7): it stays defined, with every version, but is no longer
 * scheduled; `reason` says why (replaced by, owner gone, zombie).
 */
export type DeprecateJob = Command<
  'DeprecateJob',
  { readonly name: string; readonly reason: string }
>;
/** Schedule a deprecated job again. */
export type ReinstateJob = Command<
  'ReinstateJob',
  { readonly name: string; readonly reason?: string }
>;
export type JobDefinitionCommand =
  ApplyJobManifest | ApproveJobManifest | RollBackJobManifest | DeprecateJob | ReinstateJob;

// ---- events -----------------------------------------------------------------------------------

export type JobManifestApplied = DomainEvent<
  'JobManifestApplied',
  {
    readonly name: string;
    readonly version: number;
    readonly digest: string;
    readonly manifest: JobManifest;
    readonly changes: readonly JobManifestChange[];
    readonly author: string;
    /** Present when the change was prod-affecting and waited for a second person. */
    readonly approvedBy?: string;
    readonly appliedAt: string;
  }
>;
export type JobManifestProposed = DomainEvent<
  'JobManifestProposed',
  {
    readonly name: string;
    readonly digest: string;
    readonly manifest: JobManifest;
    readonly changes: readonly JobManifestChange[];
    /** Why it waits for approval (which prod-affecting rule matched). */
    readonly reasons: readonly string[];
    /** The running version it was diffed against (0: none). */
    readonly baseVersion: number;
    readonly author: string;
    readonly proposedAt: string;
  }
>;
export type JobManifestRolledBack = DomainEvent<
  'JobManifestRolledBack',
  {
    readonly name: string;
    readonly version: number;
    readonly toVersion: number;
    readonly digest: string;
    /** The manifest of `toVersion`, running again (so readers need not look it up). */
    readonly manifest: JobManifest;
    readonly changes: readonly JobManifestChange[];
    /** The digest of a pending proposal the rollback withdrew, if any. */
    readonly withdrawnProposal?: string;
    readonly rolledBackBy: string;
    readonly rolledBackAt: string;
  }
>;
export type JobDeprecated = DomainEvent<
  'JobDeprecated',
  {
    readonly name: string;
    readonly reason: string;
    readonly deprecatedBy: string;
    readonly deprecatedAt: string;
  }
>;
export type JobReinstated = DomainEvent<
  'JobReinstated',
  {
    readonly name: string;
    readonly reason?: string;
    readonly reinstatedBy: string;
    readonly reinstatedAt: string;
  }
>;
export type JobDefinitionEvent =
  JobManifestApplied | JobManifestProposed | JobManifestRolledBack | JobDeprecated | JobReinstated;

/** Every job-definition event type (projections subscribe to these). */
export const JOB_DEFINITION_EVENT_TYPES: readonly JobDefinitionEvent['type'][] = [
  'JobManifestApplied',
  'JobManifestProposed',
  'JobManifestRolledBack',
  'JobDeprecated',
  'JobReinstated',
];

/** The job-definition stream of job `name`. */
export const jobDefinitionStream = (name: string): string => `job-definition-${name}`;

// ---- state ------------------------------------------------------------------------------------

export interface JobManifestVersion {
  readonly version: number;
  readonly digest: string;
  readonly manifest: JobManifest;
  readonly author: string;
  readonly approvedBy?: string;
  /** Set when this version was made by a rollback to an earlier one. */
  readonly rolledBackFrom?: number;
  readonly at: string;
}

export interface JobDeprecation {
  readonly reason: string;
  readonly by: string;
  readonly at: string;
}

export interface JobManifestProposal {
  readonly digest: string;
  readonly manifest: JobManifest;
  readonly author: string;
  readonly baseVersion: number;
  readonly proposedAt: string;
}

/** Stream `job-definition-<name>`; every version is kept, the running one is the last. */
export type JobDefinition =
  | { readonly status: 'Undefined'; readonly proposal?: JobManifestProposal }
  | {
      readonly status: 'Defined';
      readonly name: string;
      readonly versions: readonly JobManifestVersion[];
      readonly proposal?: JobManifestProposal;
      /** Present while the job is deprecated: it is not scheduled. */
      readonly deprecated?: JobDeprecation;
    };

export const initialJobDefinition = (): JobDefinition => ({ status: 'Undefined' });

/** The running version: the last one. */
export const runningVersion = (state: JobDefinition): JobManifestVersion | undefined =>
  state.status === 'Defined' ? state.versions[state.versions.length - 1] : undefined;
