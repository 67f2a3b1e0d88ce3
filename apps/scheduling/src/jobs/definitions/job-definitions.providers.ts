import type { Provider } from '@nestjs/common';
import { JOB_CATALOG, JobCatalog } from './job-catalog';
import { JobDefinitionQueries } from './job-definition.queries';
import { JOB_MANIFEST_OPTIONS, JobDefinitionUseCases } from './job-definition.use-cases';
import { JobDefinitionsGrpcController } from './job-definitions.grpc-controller';
import { JobDefinitionsHttpController } from './job-definitions.http-controller';

/**
 * Job definitions (issue 12 items 1 and 7): manifests applied, approved, rolled back, deprecated,
 * over gRPC and REST, and the catalogue of running manifests the runtime reads (`JOB_CATALOG`).
 * Listed in the scheduling module, beside the read side they project into.
 */
export const JOB_DEFINITION_CONTROLLERS = [
  JobDefinitionsGrpcController,
  JobDefinitionsHttpController,
];

export const JOB_DEFINITION_PROVIDERS: Provider[] = [
  // The service validates command tasks against DEFAULT_COMMAND_PROGRAMS until an operator's
  // allowlist is configured (the executors' configuration replaces this value).
  { provide: JOB_MANIFEST_OPTIONS, useValue: {} },
  JobDefinitionUseCases,
  JobDefinitionQueries,
  JobCatalog,
  { provide: JOB_CATALOG, useExisting: JobCatalog },
];
