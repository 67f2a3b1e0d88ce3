// npm start — the whole platform on this machine: PostgreSQL database, a Kafka broker, the five
// services built and running with readable logs. Ctrl-C or SIGTERM stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { prettyFactory } from 'pino-pretty';
import {
  DEFAULT_DATABASE_URL,
  buildPlatform,
  ensureDatabase,
  ensureDevKeys,
  repoRoot,
  startLocalKafka,
  stopLocalKafka,
} from '@trainyard/infra';
import { SERVICES, type ServiceName } from '@trainyard/platform';
import { healthStatus } from './grpc-health';
import { serviceEnvironment, startConfigurationProblem } from './start-config';

const root = repoRoot();
const COLORS: Record<ServiceName, string> = {
  planning: '36',
  scheduling: '35',
  deployment: '33',
  compliance: '32',
  metrics: '34',
};
// Five services boot at once; on a busy 2-core machine each can take over a minute. A service that
// fails exits at once (and stops the platform), so this only bounds one that hangs.
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;
const prettify = prettyFactory({
  colorize: process.stdout.isTTY,
  translateTime: 'HH:MM:ss.l',
  ignore: 'pid,hostname,service,context,req,res',
  singleLine: true,
});

const say = (line: string) => console.log(`\x1b[1m[trainyard]\x1b[0m ${line}`);
const children = new Map<ServiceName, ChildProcess>();
let kafkaStartedHere: string | undefined;
let shuttingDown = false;

async function main(): Promise<void> {
  const started = Date.now();
  // Before anything starts, so a wrong variable is named and nothing is left to stop.
  const problem = startConfigurationProblem(process.env);
  if (problem) {
    say(`start failed: ${problem}`);
    process.exit(78); // EX_CONFIG, as the services exit on a wrong variable
  }
  ensureDevKeys();
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  await ensureDatabase(databaseUrl, say);
  const kafka = await startLocalKafka({ log: say });
  if (kafka.started) kafkaStartedHere = kafka.broker;
  if (shuttingDown) return;

  say('building services (swc)…');
  buildPlatform('dist');

  for (const service of SERVICES)
    startService(service, {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? kafka.broker,
      // The loopback systems `npm run demo` serves for its month-end batch jobs (demo-jobs.ts).
      SCHEDULING_HTTP_ALLOWLIST:
        process.env.SCHEDULING_HTTP_ALLOWLIST ?? 'http://127.0.0.1:4710/demo',
    });
  await Promise.all(SERVICES.map((service) => waitServing(service)));
  if (shuttingDown) return;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`all five services SERVING in ${seconds} s`);
  console.log(
    SERVICES.map(
      (s) =>
        `  ${s.padEnd(11)} gRPC 127.0.0.1:${port(s, 'grpc')}  HTTP http://127.0.0.1:${port(s, 'http')}  (/healthz /readyz /metrics)`,
    ).join('\n'),
  );
  say('token for calls: npm run token -- --role release-manager   ·   Ctrl-C stops everything');
}

function port(service: ServiceName, kind: 'grpc' | 'http'): number {
  return Number(
    serviceEnvironment(service, process.env)[kind === 'grpc' ? 'GRPC_PORT' : 'HTTP_PORT'],
  );
}

function startService(service: ServiceName, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [join(root, 'dist', 'apps', service, 'src', 'main.js')], {
    cwd: root,
    env: serviceEnvironment(service, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(service, child);
  const prefix = process.stdout.isTTY
    ? `\x1b[${COLORS[service]}m${service.padEnd(10)}\x1b[0m`
    : service.padEnd(10);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      const pretty = line.startsWith('{') ? prettify(line).trimEnd() : line;
      console.log(`${prefix} ${pretty}`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(service);
    if (shuttingDown) return;
    say(`${service} exited unexpectedly (${signal ?? `code ${code}`}); stopping the platform`);
    void shutdown(1);
  });
}

async function waitServing(service: ServiceName): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!shuttingDown) {
    if (
      (await healthStatus(`127.0.0.1:${port(service, 'grpc')}`).catch(() => 'UNAVAILABLE')) ===
      'SERVING'
    )
      return;
    if (Date.now() > deadline)
      throw new Error(`${service} not SERVING after ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  say('stopping services…');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (kafkaStartedHere) {
    say('stopping Kafka…');
    await stopLocalKafka({ broker: kafkaStartedHere });
  }
  say('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((error: unknown) => {
  say(`start failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
