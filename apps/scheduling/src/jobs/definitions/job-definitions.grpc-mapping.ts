import type { jobDefinitions } from '@trainyard/grpc-contracts';
import type { JobManifestChange } from '@trainyard/scheduling-domain';
import type {
  JobDefinitionRow,
  JobManifestVersionRow,
  JobProposalView,
} from '@trainyard/scheduling-read-models';

const json = (value: unknown): string => (value === undefined ? '' : JSON.stringify(value));

export const toProtoChange = (c: JobManifestChange): jobDefinitions.ManifestChange => ({
  op: c.op,
  path: c.path,
  oldJson: c.op === 'added' ? '' : json(c.old),
  newJson: c.op === 'removed' ? '' : json(c.new),
});

const toProtoProposal = (p: JobProposalView): jobDefinitions.JobProposal => ({
  digest: p.digest,
  manifestJson: json(p.manifest),
  changes: p.changes.map(toProtoChange),
  reasons: [...p.reasons],
  baseVersion: p.baseVersion,
  author: p.author,
  proposedAt: p.proposedAt,
});

export const toProtoJob = (row: JobDefinitionRow): jobDefinitions.JobDefinition => ({
  name: row.name,
  owner: row.owner,
  criticality: row.criticality,
  description: row.description ?? '',
  runningVersion: row.runningVersion ?? 0,
  digest: row.digest ?? '',
  manifestJson: row.manifest === null ? '' : json(row.manifest),
  author: row.author ?? '',
  approvedBy: row.approvedBy ?? '',
  appliedAt: row.appliedAt ?? '',
  deprecated: row.deprecated,
  deprecatedReason: row.deprecatedReason ?? '',
  deprecatedBy: row.deprecatedBy ?? '',
  deprecatedAt: row.deprecatedAt ?? '',
  ...(row.proposal ? { proposal: toProtoProposal(row.proposal) } : {}),
  versionCount: row.versionCount,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export const toProtoVersion = (row: JobManifestVersionRow): jobDefinitions.JobManifestVersion => ({
  name: row.name,
  version: row.jobVersion,
  digest: row.digest,
  manifestJson: json(row.manifest),
  author: row.author,
  approvedBy: row.approvedBy ?? '',
  rolledBackFrom: row.rolledBackFrom ?? 0,
  changes: row.changes.map(toProtoChange),
  createdAt: row.createdAt,
});
