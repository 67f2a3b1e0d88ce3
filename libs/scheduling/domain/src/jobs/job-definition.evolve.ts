import type { JobDefinition, JobDefinitionEvent, JobManifestVersion } from './job-definition';

const versionsOf = (state: JobDefinition): readonly JobManifestVersion[] =>
  state.status === 'Defined' ? state.versions : [];
/** A new version does not end a deprecation: only ReinstateJob does. */
const deprecationOf = (state: JobDefinition) =>
  state.status === 'Defined' && state.deprecated ? { deprecated: state.deprecated } : {};

export const evolveJobDefinition = (
  state: JobDefinition,
  event: JobDefinitionEvent,
): JobDefinition => {
  switch (event.type) {
    case 'JobManifestProposed': {
      const d = event.data;
      const proposal = {
        digest: d.digest,
        manifest: d.manifest,
        author: d.author,
        baseVersion: d.baseVersion,
        proposedAt: d.proposedAt,
      };
      return { ...state, proposal };
    }
    case 'JobManifestApplied': {
      const d = event.data;
      const version: JobManifestVersion = {
        version: d.version,
        digest: d.digest,
        manifest: d.manifest,
        author: d.author,
        ...(d.approvedBy === undefined ? {} : { approvedBy: d.approvedBy }),
        at: d.appliedAt,
      };
      return {
        status: 'Defined',
        name: d.name,
        versions: [...versionsOf(state), version],
        ...deprecationOf(state),
      };
    }
    case 'JobManifestRolledBack': {
      const d = event.data;
      const versions = versionsOf(state);
      const target = versions.find((v) => v.version === d.toVersion);
      if (target === undefined) return state;
      const version: JobManifestVersion = {
        version: d.version,
        digest: target.digest,
        manifest: target.manifest,
        author: d.rolledBackBy,
        rolledBackFrom: d.toVersion,
        at: d.rolledBackAt,
      };
      return {
        status: 'Defined',
        name: d.name,
        versions: [...versions, version],
        ...deprecationOf(state),
      };
    }
    case 'JobDeprecated': {
      if (state.status !== 'Defined') return state;
      const d = event.data;
      return { ...state, deprecated: { reason: d.reason, by: d.deprecatedBy, at: d.deprecatedAt } };
    }
    case 'JobReinstated': {
      if (state.status !== 'Defined') return state;
      return {
        status: 'Defined',
        name: state.name,
        versions: state.versions,
        ...(state.proposal ? { proposal: state.proposal } : {}),
      };
    }
  }
};
