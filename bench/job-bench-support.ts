import { validateJobManifest, type JobTask } from '@trainyard/scheduling-domain';
import type {
  JobCatalogPort,
  RunningJob,
  TaskExecution,
  TaskExecutionResult,
  TaskExecutorPort,
} from '../apps/scheduling/src/scheduling.service';
import { wallClock } from './bench-harness';

/**
 * What the batch-job rows run through the real runtime: manifests validated as a team's would be,
 * and an executor whose only program is `noop` (the peers run no-op jobs too), timing each
 * execution with the bench's wall clock.
 */
export const BENCH_PROGRAMS = ['noop'];

export class BenchCatalog implements JobCatalogPort {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(inputs: readonly unknown[]) {
    for (const input of inputs) {
      const result = validateJobManifest(input, { commandPrograms: BENCH_PROGRAMS });
      if (!result.ok)
        throw new Error(`bench manifest: ${result.problems.map((p) => p.message).join('; ')}`);
      const manifest = result.manifest;
      this.jobs.set(manifest.name, {
        name: manifest.name,
        version: 1,
        digest: `bench-${manifest.name}`,
        manifest,
        deprecated: false,
      });
    }
  }

  running(): Promise<RunningJob[]> {
    return Promise.resolve([...this.jobs.values()]);
  }

  get(name: string): Promise<RunningJob | undefined> {
    return Promise.resolve(this.jobs.get(name));
  }
}

export interface ExecutionTiming {
  readonly runId: string;
  readonly taskId: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Runs `noop` and nothing else; `onExecuted` hears every execution with its wall-clock times. */
export class NoopExecutor implements TaskExecutorPort {
  executed = 0;

  constructor(private readonly onExecuted?: (timing: ExecutionTiming) => void) {}

  execute(executor: JobTask['executor'], execution: TaskExecution): Promise<TaskExecutionResult> {
    const startedAt = wallClock();
    if (executor.kind !== 'command' || executor.program !== 'noop')
      return Promise.resolve({ outcome: 'failed', detail: 'the bench runs noop tasks only' });
    this.executed++;
    this.onExecuted?.({
      runId: execution.runId,
      taskId: execution.taskId,
      attempt: execution.attempt,
      startedAt,
      finishedAt: wallClock(),
    });
    return Promise.resolve({ outcome: 'succeeded', exitCode: 0 });
  }
}

const noopTask = (id: string, dependsOn: string[] = []) => ({
  id,
  executor: { kind: 'command', program: 'noop', args: [] },
  dependsOn,
  timeoutSeconds: 60,
});

const manifest = (name: string, extra: Record<string, unknown>) => ({
  name,
  owner: name.split('.')[0],
  criticality: 'low',
  environments: { dev: {}, staging: {}, prod: {} },
  ...extra,
});

/** A triggered job of one no-op task. */
export const singleTaskJob = (name: string): unknown =>
  manifest(name, { tasks: [noopTask('noop')] });

/** A triggered job whose `length` no-op tasks form a chain t000 → t001 → … */
export const chainJob = (name: string, length: number): unknown =>
  manifest(name, {
    tasks: Array.from({ length }, (_, i) =>
      noopTask(taskOfChain(i), i === 0 ? [] : [taskOfChain(i - 1)]),
    ),
  });
export const taskOfChain = (i: number): string => `t${String(i).padStart(3, '0')}`;

/** A job firing every minute (UTC) with one no-op task. */
export const everyMinuteJob = (name: string): unknown =>
  manifest(name, {
    schedule: { cron: '* * * * *', zone: 'UTC' },
    tasks: [noopTask('noop')],
  });

export const cronJobName = (i: number): string => `bench.cron.s${String(i).padStart(4, '0')}`;
