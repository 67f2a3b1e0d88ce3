import { Injectable } from '@nestjs/common';
import type { JobDefinitionRow } from '@trainyard/scheduling-read-models';
import type { JobCatalogPort, RunningJob } from '../runtime-ports';
import { JobDefinitionQueries } from './job-definition.queries';

/** Injection token of the runtime's `JobCatalogPort` (provided by `JobCatalog`). */
export const JOB_CATALOG = 'JOB_CATALOG';

const runningJob = (row: JobDefinitionRow): RunningJob | undefined =>
  row.runningVersion === null || row.manifest === null || row.digest === null
    ? undefined
    : {
        name: row.name,
        version: row.runningVersion,
        digest: row.digest,
        manifest: row.manifest,
        deprecated: row.deprecated,
      };

/**
 * The running manifest of every job, from the job-definition read model: what the runtime
 * schedules. A job whose first version awaits approval is not running; a deprecated one is listed
 * with `deprecated: true` (the runtime does not start it).
 */
@Injectable()
export class JobCatalog implements JobCatalogPort {
  constructor(private readonly queries: JobDefinitionQueries) {}

  async running(): Promise<RunningJob[]> {
    return (await this.queries.running()).flatMap((row) => runningJob(row) ?? []);
  }

  async get(name: string): Promise<RunningJob | undefined> {
    const row = await this.queries.find(name);
    return row && runningJob(row);
  }
}
