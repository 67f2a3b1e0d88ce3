import { createServer } from 'node:net';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { LoggerModule, Logger as PinoNestLogger } from 'nestjs-pino';
import { Pool } from 'pg';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import {
  EVENT_STORE_MIGRATIONS,
  EventSealer,
  createEventStore,
  fileCheckpointPublisher,
  handleCheckedOutClientErrors,
  loadOrCreateSigningKey,
  migrateSchema,
  type AppliedMigrations,
  type MigrationSet,
} from '@trainyard/event-store';
import {
  MESSAGING_MIGRATIONS,
  OutboxRelay,
  createKafkaMessageBus,
  type IntegrationEventMapping,
} from '@trainyard/messaging';
import type { ProjectionDefinition } from '@trainyard/kernel';
import { trainyardDescriptorSet, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { localDir } from '@trainyard/infra';
import { createLogger, type Logger } from '@trainyard/observability';
import type { Clock } from '@trainyard/kernel';
import { CHECKPOINTS_TOPIC, kafkaCheckpointPublisher } from './audit/checkpoint-publishers';
import { ACCESS_MODEL_MIGRATIONS } from './access/access-model.migrations';
import { TokenVerifier } from './auth/token-verifier';
import {
  ConfigurationError,
  loadServiceConfig,
  type ServiceConfig,
  type ServiceName,
  type ServiceSettingsSchema,
} from './config/service-config';
import { kafkaCheck, postgresCheck } from './health/dependency-checks';
import { ServiceMetrics } from './health/metrics';
import { Readiness } from './health/readiness';
import { keepMalformedJsonDetail } from './errors/malformed-json';
import { withTotalDeserializers } from './input/malformed-request';
import { PlatformModule } from './platform.module';
import { EVENT_STORE } from './tokens';

export const AUDIT_GRPC_PACKAGE = 'trainyard.audit.v1';
export const AUDIT_GRPC_SERVICE = 'trainyard.audit.v1.AuditTrailService';

export interface ServiceDefinition {
  readonly service: ServiceName;
  /** The service's own Nest module: its gRPC controllers, HTTP read models, consumers. */
  readonly module: Type | DynamicModule;
  /** gRPC packages served besides trainyard.audit.v1, e.g. `trainyard.planning.v1`. */
  readonly grpcPackages?: readonly string[];
  /** Fully-qualified gRPC service names reported by the health service. */
  readonly grpcServices?: readonly string[];
  /**
   * The service's own versioned migrations (its read models), applied after the event store's and
   * messaging's, at every start and by `npm run db:migrate`.
   */
  readonly migrations?: readonly MigrationSet[];
  /**
   * What the outbox relay publishes on `trainyard.<service>.events.v1`: the service's contract
   * mapping (libs/<service>/contracts, docs/adr/0009-integration-events.md). A stored event it
   * maps to undefined is not published; a service without one publishes nothing.
   */
  readonly integrationEvents?: IntegrationEventMapping;
  /** Limit of every request string, in UTF-8 bytes; default DEFAULT_MAX_STRING_BYTES (1024). */
  readonly maxStringBytes?: number;
  /** The service's read models, by name: what `npm run projections:rebuild` can rebuild. */
  readonly projections?: readonly ProjectionDefinition<unknown>[];
  /**
   * The service's own settings (apps/<service>/src/config/<service>-settings.ts), validated with
   * the platform's at start and part of the SERVICE_CONFIG its providers inject.
   */
  readonly settings?: ServiceSettingsSchema;
  /** Where "now" comes from (the CLOCK provider); default the system clock. Tests set a fixed or manual one. */
  readonly clock?: Clock;
}

const publishNothing: IntegrationEventMapping = () => undefined;

export interface RunningService {
  readonly config: ServiceConfig;
  readonly app: INestApplication;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logger: Logger;
  readonly readiness: Readiness;
  /** Graceful: NOT_SERVING, drain in-flight calls, stop background work, close connections. */
  stop(): Promise<void>;
}

/**
 * Applies every pending migration of the service's schema (event store, messaging, then the
 * service's own), under one per-schema lock. Shared by service start-up and `npm run db:migrate`.
 */
export async function migrateService(
  definition: Pick<ServiceDefinition, 'migrations'>,
  pool: Pool,
  schema: string,
): Promise<AppliedMigrations[]> {
  return migrateSchema(pool, schema, [
    EVENT_STORE_MIGRATIONS,
    MESSAGING_MIGRATIONS,
    ACCESS_MODEL_MIGRATIONS,
    ...(definition.migrations ?? []),
  ]);
}

/** Boots one service: config → connections → schema → gRPC and HTTP servers → readiness. */
export async function startService(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const config = loadServiceConfig(definition.service, env, definition.settings);
  const keyFile = config.AUTH_JWKS_URL
    ? undefined
    : (config.AUTH_PUBLIC_KEY_FILE ?? localDir('auth', 'dev-public.pem'));
  if (keyFile && !existsSync(keyFile)) {
    throw new ConfigurationError(
      `invalid configuration: AUTH_PUBLIC_KEY_FILE: no such file ${keyFile} (run \`npm run token -- --role viewer\` once to create development keys, or set AUTH_JWKS_URL)`,
    );
  }
  const logger = createLogger(definition.service, config.LOG_LEVEL);
  const verifier = await TokenVerifier.create({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    publicKeyFile: keyFile,
    jwksUrl: config.AUTH_JWKS_URL,
  });
  const grpcPort = config.GRPC_PORT || (await freePort());
  const httpPort = config.HTTP_PORT || (await freePort());
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', (error) => logger.warn(`idle PostgreSQL connection failed: ${error.message}`));
  handleCheckedOutClientErrors(pool);
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 0 },
  });
  let admin: Admin | undefined;
  const connectedAdmin = () => {
    if (!admin) {
      admin = kafka.admin();
      const pending = admin;
      void pending.connect().catch(() => (admin = admin === pending ? undefined : admin));
    }
    return admin;
  };

  await waitForDatabase(pool, logger);
  const migrated = (await migrateService(definition, pool, config.DATABASE_SCHEMA)).flatMap(
    (set) => set.applied,
  );
  if (migrated.length > 0)
    logger.info({ migrations: migrated }, `schema "${config.DATABASE_SCHEMA}" migrated`);

  const grpcServices = [AUDIT_GRPC_SERVICE, ...(definition.grpcServices ?? [])];
  const readiness = new Readiness(
    [postgresCheck(pool), kafkaCheck(async () => connectedAdmin().describeCluster())],
    grpcServices,
  );
  const metrics = new ServiceMetrics(definition.service);
  const bus = createKafkaMessageBus({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    logger: logger,
  });
  const packageDefinition = withTotalDeserializers(trainyardPackageDefinition());
  const producer = bus.producer();
  const schema = config.DATABASE_SCHEMA;
  const auditDir =
    config.AUDIT_SIGNING_KEY_FILE && config.AUDIT_CHECKPOINT_DIR
      ? ''
      : defaultAuditDir(schema, logger);
  const signer = loadOrCreateSigningKey(
    config.AUDIT_SIGNING_KEY_FILE ?? join(auditDir, 'checkpoint-key.pem'),
    config.AUDIT_LOG_ORIGIN ?? `trainyard.local/${schema}`,
  );
  const sealer = new EventSealer(pool, schema, {
    onError: (error) =>
      logger.warn(`sealer pass failed: ${error instanceof Error ? error.message : String(error)}`),
    checkpoints: {
      signer,
      intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
      publishers: [
        fileCheckpointPublisher(config.AUDIT_CHECKPOINT_DIR ?? join(auditDir, 'checkpoints')),
        kafkaCheckpointPublisher(producer),
      ],
    },
  });

  @Module({
    imports: [
      LoggerModule.forRoot({
        pinoHttp: {
          logger,
          autoLogging: {
            ignore: (request) => ['/healthz', '/readyz', '/metrics'].includes(request.url ?? ''),
          },
        },
      }),
      PlatformModule.forRoot({
        config,
        pool,
        verifier,
        readiness,
        metrics,
        bus,
        maxStringBytes: definition.maxStringBytes,
        ...(definition.clock ? { clock: definition.clock } : {}),
        sealer,
        signer,
      }),
      definition.module,
    ],
  })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestExpressApplication>(ServiceRootModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  // The JSON body parser now rather than at init (Nest then adds only the urlencoded one), so the
  // middleware after it sees a body that does not parse before Nest strips the error to its message.
  app.useBodyParser('json');
  app.use(keepMalformedJsonDetail);
  app.connectMicroservice<MicroserviceOptions>(
    {
      transport: Transport.GRPC,
      options: {
        package: [AUDIT_GRPC_PACKAGE, ...(definition.grpcPackages ?? [])],
        packageDefinition,
        url: `${config.GRPC_HOST}:${grpcPort}`,
        gracefulShutdown: true,
        onLoadPackageDefinition: (_pkg: unknown, server: GrpcServer) => {
          readiness.health.addToServer(server);
          new ReflectionService(trainyardDescriptorSet()).addToServer(server);
        },
      },
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(httpPort, config.HTTP_HOST);

  const topic = eventsTopic(definition.service);
  // Not awaited at start (a broker outage must not block it), but awaited by stop(): an admin call
  // still in flight after the connections close would outlive the service.
  const topicEnsured = bus
    .admin()
    .ensureTopics([
      { topic, partitions: 3 },
      { topic: CHECKPOINTS_TOPIC, partitions: 1 },
    ])
    .catch((error: unknown) =>
      logger.warn(`could not create ${topic} yet (the relay retries): ${String(error)}`),
    );
  const store = app.get<ReturnType<typeof createEventStore>>(EVENT_STORE);
  const relay = new OutboxRelay({
    pool,
    store,
    schema: config.DATABASE_SCHEMA,
    service: definition.service,
    topic,
    producer,
    integrationEvents: definition.integrationEvents ?? publishNothing,
    logger: logger,
  });
  relay.start();
  sealer.start();
  const report = await readiness.refresh();
  readiness.start(config.READINESS_INTERVAL_MS);
  logger.info(
    { grpcPort, httpPort, ready: report.ready, checks: report.checks },
    `${definition.service} started`,
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      readiness.drain();
      const grace = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), config.SHUTDOWN_GRACE_MS).unref(),
      );
      // app.close() drains in-flight gRPC calls (tryShutdown) and HTTP requests, then runs every
      // module's shutdown hooks (consumers commit their offsets there).
      if ((await Promise.race([app.close().then(() => 'closed' as const), grace])) === 'timeout') {
        logger.warn(
          `in-flight work did not finish within ${config.SHUTDOWN_GRACE_MS} ms; closing anyway`,
        );
      }
      await topicEnsured;
      await relay.stop();
      await sealer.stop(); // before the producer: it publishes checkpoints
      await producer.disconnect().catch(() => undefined);
      await store.close(); // its LISTEN/NOTIFY connections
      await admin?.disconnect().catch(() => undefined);
      await pool.end();
      logger.info(`${definition.service} stopped`);
    })());

  return { config, app, grpcPort, httpPort, logger, readiness, stop };
}

/**
 * `.local/audit/<schema>`, where the checkpoint key and checkpoints go unless configured. Where it
 * cannot be written (a read-only image), a temporary directory, with a warning: a key there does
 * not outlive the container, so set AUDIT_SIGNING_KEY_FILE and AUDIT_CHECKPOINT_DIR in production.
 */
function defaultAuditDir(schema: string, logger: Logger): string {
  const dir = localDir('audit', schema);
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch (error) {
    const fallback = join(tmpdir(), 'trainyard-audit', schema);
    logger.warn(
      `cannot write ${dir} (${error instanceof Error ? error.message : String(error)}): checkpoint key and checkpoints default to ${fallback}; set AUDIT_SIGNING_KEY_FILE and AUDIT_CHECKPOINT_DIR`,
    );
    return fallback;
  }
}

/**
 * The whole life of a service process: start, stop on SIGTERM/SIGINT, exit. A configuration error
 * prints one line and exits 78 (EX_CONFIG) at once; any other start-up failure exits 1.
 */
export function runServiceMain(
  definition: ServiceDefinition,
  onStopped?: () => Promise<void>,
): void {
  startService(definition).then(
    (running) => {
      let signalled = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) return;
        signalled = true;
        running.logger.info(`${signal} received, shutting down`);
        void running
          .stop()
          .then(() => onStopped?.())
          .then(
            () => process.exit(0),
            (error: unknown) => {
              running.logger.error({ err: error }, 'shutdown failed');
              process.exit(1);
            },
          );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    },
    (error: unknown) => {
      if (error instanceof ConfigurationError) {
        process.stderr.write(`[${definition.service}] ${error.message}\n`);
        process.exit(78);
      }
      process.stderr.write(
        `[${definition.service}] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}

/** The service's integration-event topic (ARCHITECTURE.md): `trainyard.<service>.events.v1`. */
export function eventsTopic(service: ServiceName): string {
  return `trainyard.${service}.events.v1`;
}

async function waitForDatabase(pool: Pool, logger: Logger, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL unreachable for ${timeoutMs / 1000} s: ${(error as Error).message}`,
        );
      if (attempt === 1) logger.warn({ err: error }, 'waiting for PostgreSQL');
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 2_000)));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
