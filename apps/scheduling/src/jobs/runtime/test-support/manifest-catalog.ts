import { validateJobManifest, type JobManifest } from '@trainyard/scheduling-domain';
import type { JobCatalogPort, RunningJob } from '../../runtime-ports';

/** Programs the in-process executor runs (test-support/function-executor.ts). */
export const TEST_PROGRAMS = ['noop', 'sleep', 'fail', 'flaky', 'exit', 'wait-abort'];

/**
 * A job catalogue for tests and benchmarks: manifests as a team writes them (the runtime fields
 * too: concurrency, pools, outcomes, …), validated by validateJobManifest (a bad one throws with
 * every problem). The service's catalogue is jobs-api's JobCatalog (the job-definition read model).
 */
export class ManifestCatalog implements JobCatalogPort {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(entries: readonly { input: unknown }[] = []) {
    for (const e of entries) this.put(e.input);
  }

  put(input: unknown): RunningJob {
    const result = validateJobManifest(input, { commandPrograms: TEST_PROGRAMS });
    if (!result.ok)
      throw new Error(`invalid manifest: ${result.problems.map((p) => p.message).join('; ')}`);
    const manifest: JobManifest = result.manifest;
    const previous = this.jobs.get(manifest.name);
    const job: RunningJob = {
      name: manifest.name,
      version: (previous?.version ?? 0) + 1,
      digest: `test-${manifest.name}-${(previous?.version ?? 0) + 1}`,
      manifest,
      deprecated: false,
    };
    this.jobs.set(job.name, job);
    return job;
  }

  running(): Promise<RunningJob[]> {
    return Promise.resolve([...this.jobs.values()]);
  }

  get(name: string): Promise<RunningJob | undefined> {
    return Promise.resolve(this.jobs.get(name));
  }
}

/** A minimal valid manifest input for tests: `tasks` as given, no parameters. */
export const testManifestInput = (
  name: string,
  tasks: readonly Record<string, unknown>[],
  schedule?: Record<string, unknown>,
): Record<string, unknown> => ({
  name,
  owner: name.split('.')[0],
  criticality: 'medium',
  ...(schedule ? { schedule } : {}),
  parameters: {},
  environments: { dev: {}, staging: {}, prod: {} },
  tasks: tasks.map((t) => ({ timeoutSeconds: 60, ...t })),
});

/** A command task running one of TEST_PROGRAMS in process. */
export const testTask = (
  id: string,
  program: string,
  args: readonly string[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  id,
  executor: { kind: 'command', program, args },
  ...extra,
});
