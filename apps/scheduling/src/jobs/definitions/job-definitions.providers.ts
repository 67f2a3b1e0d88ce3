import type { Provider } from '@nestjs/common';
import type { JobManifestValidationOptions } from '@trainyard/scheduling-domain';
import { EXECUTORS_CONFIG, type ExecutorsConfig } from '../executors/executors.config';
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
  // Command tasks are validated against the programs the executors may run
  // (SCHEDULING_COMMAND_PROGRAMS); with none configured, against DEFAULT_COMMAND_PROGRAMS.
  {
    provide: JOB_MANIFEST_OPTIONS,
    inject: [EXECUTORS_CONFIG],
    useFactory: (config: ExecutorsConfig): JobManifestValidationOptions =>
      config.command.programs.size > 0
        ? { commandPrograms: [...config.command.programs.keys()] }
        : {},
  },
  JobDefinitionUseCases,
  JobDefinitionQueries,
  JobCatalog,
  { provide: JOB_CATALOG, useExisting: JobCatalog },
];
