import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildPlatform as buildInfra, repoRoot, signDevToken } from '@trainyard/infra';
import type { ServiceName } from '@trainyard/platform';
import { trackRunning } from './leftovers';
import { TEST_KEY_DIR, testServiceEnv } from './service-harness';
import type { TestContext } from './test-context';
import { waitFor } from './wait-for';

/**
 * A service process loads NestJS, grpc-js and OpenTelemetry from scratch: on a busy 2-core machine
 * that alone can take a minute. Give the hook that starts one more time than jest's default
 * (`beforeAll(..., SERVICE_START_TIMEOUT_MS + 30_000)`).
 */
export const SERVICE_START_TIMEOUT_MS = 150_000;

/** The platform compiled by swc as `npm start` and the Dockerfile do, into a folder of its own. */
export interface PlatformBuild {
  readonly dir: string;
  remove(): void;
}

/**
 * Compiles apps/ and libs/ (about 2 s) into `.local/test-builds/<random>`, inside the repository
 * so compiled files resolve node_modules as the real build does.
 */
export function buildPlatform(): PlatformBuild {
  const { dir } = buildInfra(join('.local', 'test-builds', randomBytes(4).toString('hex')), 'pipe');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly grpcAddress: string;
  readonly httpUrl: string;
  /** Every JSON log line the process wrote so far, parsed. */
  readonly logs: Record<string, unknown>[];
  token(...roles: string[]): Promise<string>;
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

/**
 * Runs a built service as its own process, through its real main.ts (telemetry first, then the
 * service), on free ports of 127.0.0.1, with the test file's schema and broker. The only honest
 * way to test what instrumentation does: jest's module registry bypasses the require hooks
 * OpenTelemetry patches grpc-js, http and pg with.
 */
export async function startServiceProcess(
  build: PlatformBuild,
  service: ServiceName,
  ctx: TestContext,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [join(build.dir, 'apps', service, 'src', 'main.js')], {
    cwd: repoRoot(),
    env: testServiceEnv(ctx, { LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const other: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        other.push(line);
      }
    });
  }
  // A process that has exited (stopped, killed by its test, or crashed) is no longer running.
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      untrack();
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  };
  const untrack = trackRunning({ label: `${service} process ${child.pid}`, stop });
  // A process that exits before it started fails the start at once (not after the whole timeout).
  const exitedEarly = exited.then(() => {
    throw new Error(`${service} exited with ${child.exitCode}: ${other.join('\n')}`);
  });
  const started = await Promise.race([
    waitFor(
      () =>
        logs.find((line) => line.msg === `${service} started`) as
          { grpcPort: number; httpPort: number } | undefined,
      { timeoutMs: SERVICE_START_TIMEOUT_MS, description: `${service} started` },
    ),
    exitedEarly,
  ]).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  return {
    child,
    grpcAddress: `127.0.0.1:${started.grpcPort}`,
    httpUrl: `http://127.0.0.1:${started.httpPort}`,
    logs,
    token: (...roles) => signDevToken({ roles, keyDir: TEST_KEY_DIR }),
    stop,
  };
}
