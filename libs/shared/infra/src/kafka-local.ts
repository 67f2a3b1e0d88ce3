import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { localDir, repoRoot } from './repo-root';

export interface LocalKafkaOptions {
  /** host:port of the PLAINTEXT listener; default 127.0.0.1:9092. */
  readonly broker?: string;
  readonly controllerPort?: number;
  /** Where data, config, logs and the pid file go; default `<root>/.local/kafka`. */
  readonly home?: string;
  readonly log?: (line: string) => void;
}

export interface KafkaUpResult {
  readonly broker: string;
  /** False when a broker already answered on the address: then it is not ours to stop. */
  readonly started: boolean;
  readonly pid?: number;
}

const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

interface Layout {
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly home: string;
  readonly libs: string;
  readonly data: string;
  readonly config: string;
  readonly logs: string;
  readonly pidFile: string;
}

function layout(options: LocalKafkaOptions): Layout {
  const [host = '127.0.0.1', portText = '9092'] = (
    options.broker ??
    process.env.KAFKA_BROKERS?.split(',')[0] ??
    '127.0.0.1:9092'
  ).split(':');
  const port = Number(portText);
  const home = options.home ?? localDir('kafka');
  return {
    host,
    port,
    controllerPort: options.controllerPort ?? port + 1,
    home,
    libs: join(localDir('kafka'), 'libs'),
    data: join(home, `data-${port}`),
    config: join(home, 'config'),
    logs: join(home, `logs-${port}`),
    pidFile: join(home, `broker-${port}.pid`),
  };
}

/**
 * Resolves the broker's jars from Maven Central through `infra/kafka/pom.xml` into `.local/kafka/libs`;
 * skipped when the jars for the pom's current content are already there.
 */
export function ensureKafkaArtifacts(log: (line: string) => void = () => undefined): string {
  const pom = join(repoRoot(), 'infra', 'kafka', 'pom.xml');
  const libs = join(localDir('kafka'), 'libs');
  const stamp = join(libs, '.pom-sha256');
  const digest = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return libs;
  log('resolving Apache Kafka from Maven Central (infra/kafka/pom.xml)…');
  rmSync(libs, { recursive: true, force: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.error)
    throw new Error(
      `cannot run mvn (Apache Maven is needed to fetch Kafka): ${result.error.message}`,
    );
  if (result.status !== 0)
    throw new Error(`mvn exited ${result.status} resolving infra/kafka/pom.xml`);
  if (!readdirSync(libs).some((f) => f.startsWith('kafka_2.13-')))
    throw new Error(`no kafka_2.13 jar in ${libs}`);
  writeFileSync(stamp, digest);
  return libs;
}

/** True when a Kafka broker answers a metadata request on `broker`. */
export async function kafkaIsUp(broker: string, timeoutMs = 3_000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'trainyard-infra-probe',
    brokers: [broker],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    return brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Waits until the broker's group coordinator answers (the offsets topic created and loaded): a
 * group lookup for a group nobody uses, retried until it succeeds or `timeoutMs` has passed.
 */
export async function groupCoordinatorAnswers(broker: string, timeoutMs: number): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'trainyard-infra-probe',
    brokers: [broker],
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  const deadline = Date.now() + timeoutMs;
  try {
    await admin.connect();
    for (;;) {
      try {
        await admin.describeGroups(['trainyard-infra-probe']);
        return true;
      } catch {
        if (Date.now() > deadline) return false;
        await delay(250);
      }
    }
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Starts a single-node KRaft broker in the background unless one already answers. Idempotent. */
export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<KafkaUpResult> {
  const log = options.log ?? (() => undefined);
  const l = layout(options);
  const address = `${l.host}:${l.port}`;
  if (await kafkaIsUp(address)) {
    log(`Kafka already answering on ${address}`);
    return { broker: address, started: false };
  }
  const libs = ensureKafkaArtifacts(log);
  for (const dir of [l.home, l.data, l.config, l.logs]) mkdirSync(dir, { recursive: true });
  const properties = writeBrokerConfig(l);
  formatStorage(l, libs, properties);
  // The quorum can be slow to form on a busy 2-core machine: one retry before giving up.
  for (let attempt = 1; ; attempt++) {
    const pid = spawnBroker(l, libs, properties);
    log(`Kafka starting on ${address} (pid ${pid}, log ${join(l.logs, 'server.log')})`);
    const outcome = await waitUntilUp(address, pid);
    if (outcome === 'up') {
      // The first consumer group to join would otherwise meet "coordinator is loading" while the
      // broker creates and loads its offsets topic, and a client's retries can run out first.
      if (!(await groupCoordinatorAnswers(address, START_TIMEOUT_MS)))
        log(`Kafka on ${address}: the group coordinator is still loading`);
      return { broker: address, started: true, pid };
    }
    await stopPid(pid);
    if (attempt === 2)
      throw new Error(
        `Kafka did not start on ${address}: ${outcome}; see ${join(l.logs, 'server.log')}`,
      );
    log(`Kafka start failed (${outcome}), retrying once`);
  }
}

/** Stops the broker this project started on that address (by its pid file). Idempotent. */
export async function stopLocalKafka(options: LocalKafkaOptions = {}): Promise<boolean> {
  const l = layout(options);
  if (!existsSync(l.pidFile)) return false;
  const pid = Number(readFileSync(l.pidFile, 'utf8').trim());
  const stopped = await stopPid(pid);
  rmSync(l.pidFile, { force: true });
  return stopped;
}

function writeBrokerConfig(l: Layout): string {
  const file = join(l.config, `server-${l.port}.properties`);
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${l.controllerPort}`,
    `listeners=PLAINTEXT://${l.host}:${l.port},CONTROLLER://127.0.0.1:${l.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${l.host}:${l.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${l.data}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'log.retention.hours=168',
  ];
  writeFileSync(file, lines.join('\n') + '\n');
  writeFileSync(
    join(l.config, 'log4j2.properties'),
    [
      'status = warn',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = \${sys:kafka.logs.dir}/server.log`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = info',
      'rootLogger.appenderRef.file.ref = file',
      'logger.kafka.name = kafka',
      'logger.kafka.level = info',
      'logger.apache.name = org.apache.kafka',
      'logger.apache.level = warn',
    ].join('\n') + '\n',
  );
  return file;
}

/**
 * A KRaft cluster id: 16 random bytes in URL-safe base64 without padding. Never one starting with
 * '-', which the storage tool's argument parser takes for an option (about 1 in 64 ids; format then
 * fails with "expected one argument"); Kafka's own Uuid.randomUuid() redraws those too.
 */
export function kraftClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function formatStorage(l: Layout, libs: string, properties: string): void {
  if (existsSync(join(l.data, 'meta.properties'))) return;
  const clusterId = kraftClusterId();
  const result = spawnSync(
    'java',
    [
      ...jvmArgs(l, libs),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      properties,
      '--standalone',
      '--ignore-formatted',
    ],
    { encoding: 'utf8' },
  );
  if (result.error)
    throw new Error(`cannot run java (Java 17 is needed for Kafka): ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`Kafka storage format failed: ${result.stderr || result.stdout}`);
}

function jvmArgs(l: Layout, libs: string): string[] {
  return [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${l.logs}`,
    `-Dlog4j2.configurationFile=${join(l.config, 'log4j2.properties')}`,
    '-cp',
    `${libs}/*`,
  ];
}

function spawnBroker(l: Layout, libs: string, properties: string): number {
  const out = openSync(join(l.logs, 'stdout.log'), 'a');
  // java directly (no shell) so SIGTERM reaches it and runs a controlled shutdown.
  const child = spawn('java', [...jvmArgs(l, libs), 'kafka.Kafka', properties], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  if (!child.pid) throw new Error('java did not start');
  writeFileSync(l.pidFile, String(child.pid));
  return child.pid;
}

async function waitUntilUp(address: string, pid: number): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'the broker process exited';
    if (await kafkaIsUp(address, 2_000)) return 'up';
    await delay(500);
  }
  return `not answering after ${START_TIMEOUT_MS / 1000} s`;
}

async function stopPid(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await delay(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await delay(100);
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by us) still answers signal 0: check its state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
