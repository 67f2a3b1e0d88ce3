import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CommandContext } from '@trainyard/event-store';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import { JOB_NAME } from '@trainyard/scheduling-domain';
import { UnknownJob } from '../runtime/job-runtime';
import {
  JobRunQueries,
  type ListRunsQuery,
  type RunTree,
  type RunView,
} from '../runtime/job-run.queries';
import { JOB_RUNTIME_PORTS, JobRuntimeHost, type JobRuntimePorts } from './job-runtime.host';

/** Admission control before a trigger queues a run (jobs-capacity's AdmissionControl). */
export interface RunAdmissionPort {
  /** Throws ResourceExhausted (→ RESOURCE_EXHAUSTED / 429 with a retry-after) when refused. */
  admitOrRefuse(team: string, job: string, runs?: number): Promise<void>;
}
export const RUN_ADMISSION = Symbol('trainyard.scheduling.run-admission');

const RUN_ID = /^[0-9a-f]{32}$/;
const MAX_KEY = 200;

/** Field names as each adapter spells them (gRPC snake_case, REST camelCase). */
export interface RunFieldNames {
  readonly job: string;
  readonly runId: string;
  readonly idempotencyKey: string;
}

export const runIdOrThrow = (field: string, runId: string): string => {
  if (!RUN_ID.test(runId))
    throw new ValidationError(
      field,
      `${field} must be a run id (32 lower-case hex characters); got ${JSON.stringify(runId.slice(0, 40))}`,
    );
  return runId;
};

/**
 * Triggering and cancelling runs, and reading them (JobRunService, /api/scheduling/runs): input
 * checked before anything is written, an unknown job or run NOT_FOUND, admission control (when
 * configured) before a run is queued.
 */
@Injectable()
export class JobRunUseCases {
  constructor(
    private readonly host: JobRuntimeHost,
    @Inject(JOB_RUNTIME_PORTS) private readonly ports: JobRuntimePorts,
    private readonly queries: JobRunQueries,
    @Optional() @Inject(RUN_ADMISSION) private readonly admission?: RunAdmissionPort,
  ) {}

  async trigger(
    input: { job: string; idempotencyKey?: string },
    ctx: CommandContext,
    names: RunFieldNames,
  ): Promise<{ runId: string; created: boolean; run: RunTree }> {
    if (input.job === '') throw new ValidationError(names.job, `${names.job} is required`);
    if (!JOB_NAME.test(input.job))
      throw new ValidationError(
        names.job,
        `${names.job} must be a job name <team>.<system>.<job> (lower-case letters, digits, "-"); got ${JSON.stringify(input.job.slice(0, 80))}`,
      );
    const key = input.idempotencyKey ?? '';
    if (key.length > MAX_KEY || /[\u0000-\u001f\u007f]/.test(key))
      throw new ValidationError(
        names.idempotencyKey,
        `${names.idempotencyKey} must be at most ${MAX_KEY} characters without control characters`,
      );
    const job = await this.ports.catalog.get(input.job);
    if (!job || job.deprecated)
      throw new NotFoundError('job', input.job, `no running job named ${input.job}`);
    await this.admission?.admitOrRefuse(job.manifest.owner, job.name);
    try {
      const { runId, created } = await this.host.runtime.triggerRun({
        job: input.job,
        ...(key ? { idempotencyKey: key } : {}),
        requestedBy: ctx.actor,
      });
      return { runId, created, run: await this.getRun(runId, names) };
    } catch (error) {
      if (error instanceof UnknownJob)
        throw new NotFoundError('job', input.job, `no running job named ${input.job}`);
      throw error;
    }
  }

  async cancel(
    runId: string,
    ctx: CommandContext,
    names: RunFieldNames,
  ): Promise<{ changed: boolean; run: RunTree }> {
    await this.getRun(runId, names);
    const changed = await this.host.runtime.cancelRun(runId, ctx.actor);
    return { changed, run: await this.getRun(runId, names) };
  }

  async getRun(runId: string, names: Pick<RunFieldNames, 'runId'>): Promise<RunTree> {
    const run = await this.queries.getRun(runIdOrThrow(names.runId, runId));
    if (!run) throw new NotFoundError('run', runId);
    return run;
  }

  async listTaskRuns(runId: string, names: Pick<RunFieldNames, 'runId'>) {
    return (await this.getRun(runId, names)).tasks;
  }

  listRuns(query: ListRunsQuery): Promise<{ runs: RunView[]; nextPageToken?: string }> {
    return this.queries.listRuns(query);
  }
}
