import type { TaskExecution, TaskExecutionResult, TaskExecutorPort } from '../../runtime-ports';
import type { JobManifest } from '@trainyard/scheduling-domain';

export interface ExecutionRecord {
  readonly taskKey: string;
  readonly attempt: number;
  readonly startedAt: number;
  finishedAt?: number;
}

/**
 * An executor running `command` tasks as in-process functions (for tests and the benchmarks; the
 * real executors are jobs-exec's): `noop`; `sleep <ms>` (heartbeats while it sleeps, ends early
 * when aborted); `fail [exitCode]`; `flaky <failures>` (fails that many attempts, then succeeds);
 * `exit <code>`; `wait-abort` (runs until aborted). Other kinds fail with a clear detail.
 */
export class FunctionExecutor implements TaskExecutorPort {
  readonly executions: ExecutionRecord[] = [];
  /** Optional hook, e.g. to record executions in a table the test reads. */
  constructor(private readonly onStart?: (execution: TaskExecution) => Promise<void>) {}

  async execute(
    executor: JobManifest['tasks'][number]['executor'],
    execution: TaskExecution,
  ): Promise<TaskExecutionResult> {
    if (executor.kind !== 'command')
      return {
        outcome: 'failed',
        detail: `test executor runs command tasks, not ${executor.kind}`,
      };
    const record: ExecutionRecord = {
      taskKey: execution.taskKey,
      attempt: execution.attempt,
      startedAt: Date.now(),
    };
    this.executions.push(record);
    if (this.onStart) await this.onStart(execution);
    const [arg] = executor.args;
    try {
      switch (executor.program) {
        case 'noop':
          return { outcome: 'succeeded', exitCode: 0 };
        case 'sleep':
          await sleep(Number(arg ?? 0), execution);
          return { outcome: 'succeeded', exitCode: 0 };
        case 'fail':
          return { outcome: 'failed', exitCode: Number(arg ?? 1), detail: 'failed on purpose' };
        case 'exit': {
          const code = Number(arg ?? 0);
          return { outcome: code === 0 ? 'succeeded' : 'failed', exitCode: code };
        }
        case 'flaky':
          return execution.attempt > Number(arg ?? 1)
            ? { outcome: 'succeeded', exitCode: 0 }
            : { outcome: 'failed', exitCode: 1, detail: `flaky attempt ${execution.attempt}` };
        case 'wait-abort':
          await sleep(Number.MAX_SAFE_INTEGER, execution);
          return { outcome: 'failed', detail: 'aborted' };
        default:
          return { outcome: 'failed', detail: `unknown test program ${executor.program}` };
      }
    } finally {
      record.finishedAt = Date.now();
    }
  }
}

const sleep = (ms: number, execution: TaskExecution): Promise<void> =>
  new Promise((resolve) => {
    const beat = setInterval(() => execution.heartbeat(), 100);
    const done = () => {
      clearInterval(beat);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, 2_147_483_647));
    if (execution.signal.aborted) done();
    execution.signal.addEventListener('abort', done, { once: true });
  });
