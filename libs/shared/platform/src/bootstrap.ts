import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { LoggerModule, Logger as PinoNestLogger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import type { Server } from 'node:net';
import type { createEventStore } from '@trainyard/event-store';
import {
  OutboxRelay,
  createKafkaMessageBus,
  type IntegrationEventMapping,
} from '@trainyard/messaging';
import { trainyardDescriptorSet, trainyardPackageDefinition } from '@trainyard/grpc-contracts';
import { freePort, localDir } from '@trainyard/infra';
import { createLogger } from '@trainyard/observability';
import { CHECKPOINTS_TOPIC } from './audit/checkpoint-publishers';
import { TokenVerifier } from './auth/token-verifier';
import { ConfigurationError, loadServiceConfig } from './config/service-config';
import { kafkaCheck, postgresCheck } from './health/dependency-checks';
import { ServiceMetrics } from './health/metrics';
import { Readiness } from './health/readiness';
import { keepMalformedJsonDetail } from './errors/malformed-json';
import { withTotalDeserializers } from './input/malformed-request';
import { PlatformModule } from './platform.module';
import { createAuditSealer } from './service-audit-sealer';
import { createServicePool, lazyKafkaAdmin, waitForDatabase } from './service-connections';
import {
  AUDIT_GRPC_PACKAGE,
  AUDIT_GRPC_SERVICE,
  eventsTopic,
  type RunningService,
  type ServiceDefinition,
} from './service-definition';
import { migrateService } from './service-migrations';
import { EVENT_STORE } from './tokens';

/**
 * How long stop() waits for the modules' shutdown hooks once calls and connections are closed. Each
 * hook bounds its own work (a consumer leaving its group: about 15 s at most with the broker gone).
 */
const HOOKS_BOUND_MS = 30_000;

const publishNothing: IntegrationEventMapping = () => undefined;

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
  const pool = createServicePool(config, logger);
  const kafkaAdmin = lazyKafkaAdmin(config);

  try {
    await waitForDatabase(pool, logger);
    const migrated = (await migrateService(definition, pool, config.DATABASE_SCHEMA)).flatMap(
      (set) => set.applied,
    );
    if (migrated.length > 0)
      logger.info({ migrations: migrated }, `schema "${config.DATABASE_SCHEMA}" migrated`);
  } catch (error) {
    await kafkaAdmin.disconnect();
    await pool.end().catch(() => undefined);
    throw error;
  }

  const grpcServices = [AUDIT_GRPC_SERVICE, ...(definition.grpcServices ?? [])];
  const readiness = new Readiness(
    [postgresCheck(pool), kafkaCheck(async () => kafkaAdmin.connected().describeCluster())],
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
  const { signer, sealer } = createAuditSealer(config, pool, producer, logger);

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

  // What has started so far: a start that fails part way stops exactly that, so nothing of it
  // (a consumer's restart loop, a timer, a pool) outlives the failed start in its process.
  let app: NestExpressApplication | undefined;
  let grpcServer: GrpcServer | undefined;
  let relay: OutboxRelay | undefined;
  let store: ReturnType<typeof createEventStore> | undefined;
  let topicEnsured: Promise<void> = Promise.resolve();
  /** Resolves 'timeout' after `ms`, holding no process open. */
  const after = (ms: number) =>
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

  /**
   * app.close() drains in-flight gRPC calls (tryShutdown) and HTTP requests, then runs every
   * module's shutdown hooks (consumers leave their groups there). A call or connection still open
   * after the grace period is cut, so the hooks run anyway: a stream nobody ends, or a request
   * stuck on a dead dependency, must not leave the service's consumers running behind stop().
   */
  const closeApp = async (running: NestExpressApplication) => {
    const closed = running.close().then(
      () => 'closed' as const,
      (error: unknown) => {
        // The rest of the shutdown still runs: connections and the relay are closed below.
        logger.error({ error: String(error) }, 'closing the application failed');
        return 'closed' as const;
      },
    );
    if ((await Promise.race([closed, after(config.SHUTDOWN_GRACE_MS)])) === 'closed') return closed;
    logger.warn(
      `in-flight work did not finish within ${config.SHUTDOWN_GRACE_MS} ms; cutting open calls and connections`,
    );
    grpcServer?.forceShutdown();
    running.getHttpServer().closeAllConnections();
    return closed;
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      readiness.drain();
      // The modules' shutdown hooks end before the connections they may use are closed, and
      // before stop() returns: nothing of the service keeps running behind its caller.
      if (app && (await Promise.race([closeApp(app), after(HOOKS_BOUND_MS)])) === 'timeout')
        logger.error(`shutdown hooks still running after ${HOOKS_BOUND_MS} ms; going on`);
      await topicEnsured;
      await relay?.stop();
      await sealer.stop(); // before the producer: it publishes checkpoints
      await producer.disconnect().catch(() => undefined);
      await store?.close(); // its LISTEN/NOTIFY connections
      await kafkaAdmin.disconnect();
      await pool.end().catch(() => undefined);
      logger.info(`${definition.service} stopped`);
    })());

  try {
    app = await NestFactory.create<NestExpressApplication>(ServiceRootModule, {
      bufferLogs: true,
      abortOnError: false,
    });
    app.useLogger(app.get(PinoNestLogger));
    // The JSON body parser now rather than at init (Nest then adds only the urlencoded one), so the
    // middleware after it sees a body that does not parse before Nest strips the error to its message.
    app.useBodyParser('json');
    app.use(keepMalformedJsonDetail);
    // Port 0: HTTP listens on a port the OS picks, read back once bound. Nest's gRPC server keeps
    // its bound port to itself, so that one is looked up just before binding, which leaves the
    // moment between for another process's connection to take it (not seconds of start-up).
    const grpcPort = config.GRPC_PORT || (await freePort());
    app.connectMicroservice<MicroserviceOptions>(
      {
        transport: Transport.GRPC,
        options: {
          package: [AUDIT_GRPC_PACKAGE, ...(definition.grpcPackages ?? [])],
          packageDefinition,
          url: `${config.GRPC_HOST}:${grpcPort}`,
          gracefulShutdown: true,
          onLoadPackageDefinition: (_pkg: unknown, server: GrpcServer) => {
            grpcServer = server;
            readiness.health.addToServer(server);
            new ReflectionService(trainyardDescriptorSet()).addToServer(server);
          },
        },
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    const httpPort = boundPort(app.getHttpServer());

    const topic = eventsTopic(definition.service);
    // Not awaited at start (a broker outage must not block it), but awaited by stop(): an admin
    // call still in flight after the connections close would outlive the service.
    topicEnsured = bus
      .admin()
      .ensureTopics([
        { topic, partitions: 3 },
        { topic: CHECKPOINTS_TOPIC, partitions: 1 },
      ])
      .catch((error: unknown) =>
        logger.warn(`could not create ${topic} yet (the relay retries): ${String(error)}`),
      );
    store = app.get<ReturnType<typeof createEventStore>>(EVENT_STORE);
    relay = new OutboxRelay({
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
    return { config, app, grpcPort, httpPort, logger, readiness, stop };
  } catch (error) {
    logger.error(
      { error: String(error) },
      `${definition.service} failed to start; stopping what had started`,
    );
    await stop();
    throw error;
  }
}

/** The TCP port a listening server is bound to. */
function boundPort(server: Server): number {
  const address = server.address();
  if (typeof address !== 'object' || address === null)
    throw new Error('the HTTP server is not listening');
  return address.port;
}
