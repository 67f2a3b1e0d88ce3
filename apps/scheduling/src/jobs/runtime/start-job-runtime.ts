import { EVENT_STORE_MIGRATIONS, migrateSchema } from '@trainyard/event-store';
import { JobRuntime } from './job-runtime';
import { JOB_RUNTIME_MIGRATIONS } from './job-runtime.migrations';
import type { JobRuntimeOptions } from './job-runtime.options';

export interface StartJobRuntimeOptions extends JobRuntimeOptions {
  /** Apply the event store's and the runtime's migrations to `schema` first. Default true. */
  readonly migrate?: boolean;
}

/**
 * The job runtime as benchmarks, tests and the service start it: migrations, then the loops.
 * Stop it with `stop()`. Any number may run against one schema (separate processes or not).
 */
export async function startJobRuntime(options: StartJobRuntimeOptions): Promise<JobRuntime> {
  if (options.migrate ?? true)
    await migrateSchema(options.pool, options.schema, [
      EVENT_STORE_MIGRATIONS,
      JOB_RUNTIME_MIGRATIONS,
    ]);
  const runtime = new JobRuntime(options);
  await runtime.start();
  return runtime;
}
