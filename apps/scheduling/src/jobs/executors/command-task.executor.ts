import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import {
  RenderError,
  redact,
  renderText,
  secretsNeeded,
  type CommandExecutor,
  type RenderContext,
} from '@trainyard/scheduling-domain';
import type { TaskExecution, TaskExecutionResult } from '../runtime-ports';
import { openExecutionScope, reasonOf, shortDetail } from './execution-scope';
import type { ExecutorsConfig } from './executors.config';
import type { ExecutorLogger, SecretResolver } from './secret-resolver';

const CLEAN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** After the process exits, how long its pipes may stay open (a grandchild holding them). */
const PIPE_GRACE_MS = 2_000;

/** The first `max` bytes of a stream, and how many more were dropped. */
class BoundedCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    const room = this.max - this.kept;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.byteLength;
    }
    this.dropped += Math.max(0, chunk.byteLength - Math.max(0, room));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly droppedBytes: number;
}

const tail = (text: string, max = 300): string => {
  const trimmed = text.trim();
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed;
};

/**
 * A program from the operator's allowlist (issue 12, item 2): the manifest names it, the
 * configuration maps the name to an absolute path. Arguments are an argv array (spawn with
 * `shell: false`: nothing is interpolated). The process runs in its own process group, as the
 * configured unprivileged user when the service runs as root, with a clean environment (only the
 * TRAINYARD_* task variables and the manifest's env), an address-space limit through util-linux
 * `prlimit --as` (Node cannot call setrlimit for a child; docs/readme-fragments/jobs-exec.md),
 * its output captured up to a bound, and the whole group killed at the time limit.
 */
export class CommandTaskExecutor {
  constructor(
    private readonly config: ExecutorsConfig['command'],
    private readonly secrets: SecretResolver,
    private readonly logger: ExecutorLogger,
  ) {}

  async execute(executor: CommandExecutor, execution: TaskExecution): Promise<TaskExecutionResult> {
    return (await this.run(executor, execution)).result;
  }

  /** The result and the captured (redacted) output, when the program ran. */
  async run(
    executor: CommandExecutor,
    execution: TaskExecution,
  ): Promise<{ readonly result: TaskExecutionResult; readonly output?: CommandOutput }> {
    let output: CommandOutput | undefined;
    const result = await this.runCommand(executor, execution, (o) => (output = o));
    return { result, ...(output === undefined ? {} : { output }) };
  }

  private async runCommand(
    executor: CommandExecutor,
    execution: TaskExecution,
    captured: (output: CommandOutput) => void,
  ): Promise<TaskExecutionResult> {
    let secretValues: string[] = [];
    const finish = (result: TaskExecutionResult): TaskExecutionResult => {
      const detail =
        result.detail === undefined ? undefined : shortDetail(redact(result.detail, secretValues));
      const out = { ...result, ...(detail === undefined ? {} : { detail }) };
      this.logger.log(
        redact(
          `task ${execution.job}/${execution.taskId} (run ${execution.runId}, attempt ${execution.attempt}): command ${executor.program} ${out.outcome}${out.detail ? ` — ${out.detail}` : ''}`,
          secretValues,
        ),
      );
      return out;
    };
    const path = this.config.programs.get(executor.program);
    if (path === undefined)
      return finish({
        outcome: 'failed',
        detail: `refused: the program ${executor.program} is not on the allowlist (SCHEDULING_COMMAND_PROGRAMS)`,
      });
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a file');
    } catch (error) {
      return finish({
        outcome: 'failed',
        detail: `the program ${executor.program} (${path}) cannot be run: ${reasonOf(error)}`,
      });
    }
    const envTemplates = executor.env ?? {};
    let args: string[];
    const env: Record<string, string> = {
      PATH: CLEAN_PATH,
      LANG: 'C.UTF-8',
      HOME: this.config.cwd,
      TRAINYARD_TASK_KEY: execution.taskKey,
      TRAINYARD_FENCING_TOKENS: JSON.stringify(execution.fencingTokens),
      TRAINYARD_RUN_ID: execution.runId,
      TRAINYARD_JOB: execution.job,
      TRAINYARD_TASK_ID: execution.taskId,
      TRAINYARD_ATTEMPT: String(execution.attempt),
      TRAINYARD_ENVIRONMENT: execution.environment,
    };
    try {
      const resolved = await this.secrets.resolve(
        secretsNeeded(Object.values(envTemplates), execution.parameters),
      );
      const context: RenderContext = { parameters: execution.parameters, secrets: resolved };
      args = executor.args.map((arg, i) => renderText(arg, context, `args[${i}]`).value);
      for (const [name, template] of Object.entries(envTemplates)) {
        const rendered = renderText(template, context, `env.${name}`, { allowSecrets: true });
        secretValues = [...secretValues, ...rendered.secretsUsed];
        if (!(name in env)) env[name] = rendered.value;
      }
    } catch (error) {
      if (error instanceof RenderError) return finish({ outcome: 'failed', detail: error.message });
      return finish({
        outcome: 'failed',
        detail: `could not prepare the command: ${reasonOf(error)}`,
      });
    }

    const [file, argv] =
      this.config.prlimitPath === undefined
        ? [path, args]
        : [
            this.config.prlimitPath,
            [`--as=${this.config.memoryBytes}`, '--core=0', '--', path, ...args],
          ];
    const scope = openExecutionScope(execution);
    const stdout = new BoundedCapture(this.config.maxOutputBytes);
    const stderr = new BoundedCapture(this.config.maxOutputBytes);
    try {
      const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve, reject) => {
          const child = spawn(file, argv, {
            shell: false,
            detached: true, // its own process group, killed whole
            cwd: this.config.cwd,
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
            ...(this.config.runAs
              ? { uid: this.config.runAs.uid, gid: this.config.runAs.gid }
              : {}),
          });
          const killGroup = () => {
            if (child.pid === undefined) return;
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          };
          const onAbort = () => killGroup();
          scope.signal.addEventListener('abort', onAbort, { once: true });
          child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
          child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
          let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
          child.on('error', (error) => {
            scope.signal.removeEventListener('abort', onAbort);
            reject(error);
          });
          child.on('exit', (code, signal) => {
            exit = { code, signal };
            // Descendants left in the group die with it; pipes they hold do not delay the result.
            if (scope.signal.aborted) killGroup();
            setTimeout(() => {
              child.stdout.destroy();
              child.stderr.destroy();
            }, PIPE_GRACE_MS).unref();
          });
          child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
            scope.signal.removeEventListener('abort', onAbort);
            resolve(exit ?? { code, signal });
          });
        },
      );
      captured({
        stdout: redact(stdout.text(), secretValues),
        stderr: redact(stderr.text(), secretValues),
        droppedBytes: stdout.dropped + stderr.dropped,
      });
      const errTail = tail(stderr.text());
      const suffix = errTail ? `; stderr: ${errTail}` : '';
      if (scope.timedOut())
        return finish({
          outcome: 'timed-out',
          detail: `killed after ${execution.timeoutMs} ms${suffix}`,
        });
      if (scope.signal.aborted)
        return finish({ outcome: 'failed', detail: `cancelled: ${reasonOf(scope.signal.reason)}` });
      if (ended.code === null)
        return finish({
          outcome: 'failed',
          detail: `killed by ${ended.signal ?? 'a signal'}${suffix}`,
        });
      return finish({
        outcome: ended.code === 0 ? 'succeeded' : 'failed',
        exitCode: ended.code,
        detail: `exit ${ended.code}${suffix}`,
      });
    } catch (error) {
      return finish({
        outcome: 'failed',
        detail: `could not start ${executor.program}: ${reasonOf(error)}`,
      });
    } finally {
      scope.close();
    }
  }
}
