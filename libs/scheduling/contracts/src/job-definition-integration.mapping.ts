// Job-definition domain events → integration events (issue 12 items 1 and 7, ADR 0009). The domain
// is imported for types only; every published field is copied by name. Manifests stay internal
// (they name secrets and carry free-form payloads): consumers get the name, owner, digest and the
// paths that changed, and read the manifest over the API when they need it.
import type { JobDefinitionEvent, JobManifestChange } from '@trainyard/scheduling-domain';
import type { JobDeprecatedV1 } from './events/job-deprecated.v1';
import type { JobManifestAppliedV1 } from './events/job-manifest-applied.v1';
import type { JobManifestProposedV1 } from './events/job-manifest-proposed.v1';
import type { JobManifestRolledBackV1 } from './events/job-manifest-rolled-back.v1';
import type { JobReinstatedV1 } from './events/job-reinstated.v1';
import { schedulingDataschema } from './scheduling.topics';

/** Every job-definition event scheduling publishes on `trainyard.scheduling.events.v1`. */
export type JobDefinitionIntegrationEvent =
  | {
      readonly type: 'JobManifestApplied';
      readonly version: 1;
      readonly data: JobManifestAppliedV1;
    }
  | {
      readonly type: 'JobManifestProposed';
      readonly version: 1;
      readonly data: JobManifestProposedV1;
    }
  | {
      readonly type: 'JobManifestRolledBack';
      readonly version: 1;
      readonly data: JobManifestRolledBackV1;
    }
  | { readonly type: 'JobDeprecated'; readonly version: 1; readonly data: JobDeprecatedV1 }
  | { readonly type: 'JobReinstated'; readonly version: 1; readonly data: JobReinstatedV1 };

/** The catalogue of (type, version) for the AsyncAPI document and scheduling's union. */
export const JOB_DEFINITION_INTEGRATION_EVENTS: readonly {
  readonly type: JobDefinitionIntegrationEvent['type'];
  readonly version: 1;
}[] = (
  [
    'JobManifestApplied',
    'JobManifestProposed',
    'JobManifestRolledBack',
    'JobDeprecated',
    'JobReinstated',
  ] as const
).map((type) => ({ type, version: 1 as const }));

const JOB_DEFINITION_TYPES: ReadonlySet<string> = new Set(
  JOB_DEFINITION_INTEGRATION_EVENTS.map((e) => e.type),
);

/** Whether a scheduling domain event is one of the job-definition aggregate's. */
export const isJobDefinitionEvent = (event: {
  readonly type: string;
}): event is JobDefinitionEvent => JOB_DEFINITION_TYPES.has(event.type);

const pathsOf = (changes: readonly JobManifestChange[]): string[] => changes.map((c) => c.path);

/** The integration event a job-definition domain event is published as. */
export function toJobDefinitionIntegrationEvent(
  event: JobDefinitionEvent,
): JobDefinitionIntegrationEvent | undefined {
  switch (event.type) {
    case 'JobManifestApplied': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          name: d.name,
          owner: d.manifest.owner,
          criticality: d.manifest.criticality,
          version: d.version,
          digest: d.digest,
          changedPaths: pathsOf(d.changes),
          author: d.author,
          ...(d.approvedBy === undefined ? {} : { approvedBy: d.approvedBy }),
          appliedAt: d.appliedAt,
        },
      };
    }
    case 'JobManifestProposed': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          name: d.name,
          owner: d.manifest.owner,
          digest: d.digest,
          baseVersion: d.baseVersion,
          reasons: [...d.reasons],
          changedPaths: pathsOf(d.changes),
          author: d.author,
          proposedAt: d.proposedAt,
        },
      };
    }
    case 'JobManifestRolledBack': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          name: d.name,
          version: d.version,
          toVersion: d.toVersion,
          digest: d.digest,
          changedPaths: pathsOf(d.changes),
          ...(d.withdrawnProposal === undefined ? {} : { withdrawnProposal: d.withdrawnProposal }),
          rolledBackBy: d.rolledBackBy,
          rolledBackAt: d.rolledBackAt,
        },
      };
    }
    case 'JobDeprecated': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          name: d.name,
          reason: d.reason,
          deprecatedBy: d.deprecatedBy,
          deprecatedAt: d.deprecatedAt,
        },
      };
    }
    case 'JobReinstated': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          name: d.name,
          ...(d.reason === undefined ? {} : { reason: d.reason }),
          reinstatedBy: d.reinstatedBy,
          reinstatedAt: d.reinstatedAt,
        },
      };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The relay's mapping for job-definition events, with the schema URI; undefined for others. */
export function jobDefinitionIntegrationEventOf(stored: {
  readonly type: string;
  readonly data: unknown;
}): (JobDefinitionIntegrationEvent & { readonly dataschema: string }) | undefined {
  if (!JOB_DEFINITION_TYPES.has(stored.type)) return undefined;
  const event = toJobDefinitionIntegrationEvent({
    type: stored.type,
    data: stored.data,
  } as JobDefinitionEvent);
  return event && { ...event, dataschema: schedulingDataschema(event) };
}
