import {
  rowView,
  rowsView,
  type ProjectionDefinition,
  type ProjectionSource,
} from '@trainyard/kernel';
import { JOB_DEFINITION_EVENT_TYPES, type JobDefinitionEvent } from '@trainyard/scheduling-domain';
import {
  JobDefinitionView,
  JobManifestVersionView,
  type JobDefinitionRow,
  type JobManifestVersionRow,
} from './job-definition-view.entity';

/** The checkpoint's name. */
export const JOB_DEFINITIONS_PROJECTION = 'scheduling.job-definitions.v1';

/** Every entity of the job-definition read model, for a TypeORM DataSource. */
export const JOB_DEFINITION_ENTITIES = [JobDefinitionView, JobManifestVersionView] as const;

/** A stored job-definition event as the folds see it. */
export interface ProjectedJobDefinitionEvent {
  readonly event: JobDefinitionEvent;
  readonly streamVersion: number;
}

/** Pure fold of one job's events into its row; undefined until a first proposal or version. */
export const evolveJobDefinitionRow = (
  row: JobDefinitionRow | undefined,
  { event, streamVersion }: ProjectedJobDefinitionEvent,
): JobDefinitionRow | undefined => {
  const blank = (name: string, at: string): JobDefinitionRow => ({
    name,
    owner: '',
    criticality: '',
    description: null,
    runningVersion: null,
    digest: null,
    manifest: null,
    author: null,
    approvedBy: null,
    appliedAt: null,
    deprecated: false,
    deprecatedReason: null,
    deprecatedBy: null,
    deprecatedAt: null,
    proposal: null,
    proposalDigest: null,
    proposedBy: null,
    versionCount: 0,
    createdAt: at,
    updatedAt: at,
    version: streamVersion,
  });
  switch (event.type) {
    case 'JobManifestProposed': {
      const d = event.data;
      const base = row ?? blank(d.name, d.proposedAt);
      const fromProposal = base.manifest === null;
      return {
        ...base,
        // A job not running yet is known by its first proposal.
        ...(fromProposal
          ? {
              owner: d.manifest.owner,
              criticality: d.manifest.criticality,
              description: d.manifest.description ?? null,
            }
          : {}),
        proposal: {
          digest: d.digest,
          manifest: d.manifest,
          changes: d.changes,
          reasons: d.reasons,
          baseVersion: d.baseVersion,
          author: d.author,
          proposedAt: d.proposedAt,
        },
        proposalDigest: d.digest,
        proposedBy: d.author,
        updatedAt: d.proposedAt,
        version: streamVersion,
      };
    }
    case 'JobManifestApplied': {
      const d = event.data;
      const base = row ?? blank(d.name, d.appliedAt);
      return {
        ...base,
        owner: d.manifest.owner,
        criticality: d.manifest.criticality,
        description: d.manifest.description ?? null,
        runningVersion: d.version,
        digest: d.digest,
        manifest: d.manifest,
        author: d.author,
        approvedBy: d.approvedBy ?? null,
        appliedAt: d.appliedAt,
        proposal: null,
        proposalDigest: null,
        proposedBy: null,
        versionCount: base.versionCount + 1,
        updatedAt: d.appliedAt,
        version: streamVersion,
      };
    }
    case 'JobManifestRolledBack': {
      if (!row) return row;
      const d = event.data;
      return {
        ...row,
        owner: d.manifest.owner,
        criticality: d.manifest.criticality,
        description: d.manifest.description ?? null,
        runningVersion: d.version,
        digest: d.digest,
        manifest: d.manifest,
        author: d.rolledBackBy,
        approvedBy: null,
        appliedAt: d.rolledBackAt,
        proposal: null,
        proposalDigest: null,
        proposedBy: null,
        versionCount: row.versionCount + 1,
        updatedAt: d.rolledBackAt,
        version: streamVersion,
      };
    }
    case 'JobDeprecated': {
      if (!row) return row;
      const d = event.data;
      return {
        ...row,
        deprecated: true,
        deprecatedReason: d.reason,
        deprecatedBy: d.deprecatedBy,
        deprecatedAt: d.deprecatedAt,
        updatedAt: d.deprecatedAt,
        version: streamVersion,
      };
    }
    case 'JobReinstated': {
      if (!row) return row;
      return {
        ...row,
        deprecated: false,
        deprecatedReason: null,
        deprecatedBy: null,
        deprecatedAt: null,
        updatedAt: event.data.reinstatedAt,
        version: streamVersion,
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

/** Pure fold of a job's versions: one row added per applied or rolled-back version. */
export const evolveJobManifestVersions = (
  rows: readonly JobManifestVersionRow[],
  { event }: ProjectedJobDefinitionEvent,
): readonly JobManifestVersionRow[] => {
  if (event.type === 'JobManifestApplied') {
    const d = event.data;
    return [
      ...rows,
      {
        name: d.name,
        jobVersion: d.version,
        digest: d.digest,
        manifest: d.manifest,
        author: d.author,
        approvedBy: d.approvedBy ?? null,
        rolledBackFrom: null,
        changes: d.changes,
        createdAt: d.appliedAt,
      },
    ];
  }
  if (event.type === 'JobManifestRolledBack') {
    const d = event.data;
    return [
      ...rows,
      {
        name: d.name,
        jobVersion: d.version,
        digest: d.digest,
        manifest: d.manifest,
        author: d.rolledBackBy,
        approvedBy: null,
        rolledBackFrom: d.toVersion,
        changes: d.changes,
        createdAt: d.rolledBackAt,
      },
    ];
  }
  return rows;
};

/**
 * The job-definition read model: a row per job and its versions, both keyed by the job (its
 * stream), so a replay over newer rows is skipped (`versionOf`).
 */
export const jobDefinitionsProjection: ProjectionDefinition<ProjectedJobDefinitionEvent> = {
  name: JOB_DEFINITIONS_PROJECTION,
  eventTypes: JOB_DEFINITION_EVENT_TYPES,
  toEvent: (stored: ProjectionSource) => ({
    event: { type: stored.type, data: stored.data } as JobDefinitionEvent,
    streamVersion: stored.streamVersion,
  }),
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<ProjectedJobDefinitionEvent, JobDefinitionRow>({
      table: 'job_definitions',
      keyOf: (p) => p.event.data.name,
      fold: evolveJobDefinitionRow,
      versionOf: (row) => row.version,
    }),
    rowsView<ProjectedJobDefinitionEvent, JobManifestVersionRow>({
      table: 'job_manifest_versions',
      groupBy: ['name'],
      keyOf: (p) => p.event.data.name,
      fold: evolveJobManifestVersions,
    }),
  ],
};
