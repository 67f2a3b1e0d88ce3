import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { Pool } from 'pg';
import { createEventStore, type CheckpointSigner, type EventSealer } from '@trainyard/event-store';
import type { MessageBus } from '@trainyard/messaging';
import { AuditTrailGrpcController } from './audit/audit-trail.grpc-controller';
import { AuthGuard } from './auth/auth.guard';
import { AccessAuthority } from './access/access-authority';
import { AccessModelSubscriber } from './access/access-model.subscriber';
import { GrpcCallLogInterceptor } from './call-log.interceptor';
import { TokenVerifier } from './auth/token-verifier';
import type { ServiceConfig } from './config/service-config';
import { ErrorMappingFilter } from './error-mapping.filter';
import { EdgeInputGuard, MAX_STRING_BYTES } from './input/edge-input.guard';
import { RequestBodyTypeGuard } from './input/request-body';
import { HealthController } from './health/health.controller';
import { ServiceMetrics } from './health/metrics';
import { MetricsInterceptor } from './health/metrics.interceptor';
import { Readiness } from './health/readiness';
import { InboxMaintenance } from './messaging/inbox-maintenance';
import { DEFAULT_MAX_STRING_BYTES, type Clock } from '@trainyard/kernel';
import { CommandContexts } from './command-context/command-contexts';
import { systemClock } from './command-context/system-clock';
import { CLOCK, EVENT_SEALER, EVENT_STORE, MESSAGE_BUS, PG_POOL, SERVICE_CONFIG } from './tokens';

export interface PlatformModuleOptions {
  readonly config: ServiceConfig;
  readonly pool: Pool;
  readonly verifier: TokenVerifier;
  readonly readiness: Readiness;
  readonly metrics: ServiceMetrics;
  readonly bus: MessageBus;
  /** Limit of every string at the edge, in UTF-8 bytes (default DEFAULT_MAX_STRING_BYTES). */
  readonly maxStringBytes?: number;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** The sealer of the service's event log and its checkpoint key, for the audit trail's checkpoints and proofs. */
  readonly sealer?: EventSealer;
  readonly signer?: CheckpointSigner;
  /** What the guard authorises by (the access model); default a fresh one. */
  readonly access?: AccessAuthority;
}

/**
 * What every service gets: its configuration, its PostgreSQL pool and event store, the Kafka
 * message bus, authentication and authorisation on every handler, input the database can store, one error mapping, metrics,
 * /healthz /readyz /metrics, the audit trail gRPC service, and the inbox pruned by age.
 */
const logsCalls = (level: ServiceConfig['LOG_LEVEL']): boolean =>
  level === 'debug' || level === 'trace';

@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: options.config },
      { provide: PG_POOL, useValue: options.pool },
      {
        provide: EVENT_STORE,
        useFactory: () =>
          // Group commit: a busy service's concurrent commands share an append statement.
          createEventStore(options.pool, options.config.DATABASE_SCHEMA, { groupCommit: true }),
      },
      { provide: MESSAGE_BUS, useValue: options.bus },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      CommandContexts,
      { provide: EVENT_SEALER, useValue: { sealer: options.sealer, signer: options.signer } },
      { provide: TokenVerifier, useValue: options.verifier },
      { provide: AccessAuthority, useValue: options.access ?? new AccessAuthority() },
      AccessModelSubscriber,
      InboxMaintenance,
      { provide: Readiness, useValue: options.readiness },
      { provide: ServiceMetrics, useValue: options.metrics },
      { provide: MAX_STRING_BYTES, useValue: options.maxStringBytes ?? DEFAULT_MAX_STRING_BYTES },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_GUARD, useClass: RequestBodyTypeGuard },
      { provide: APP_GUARD, useClass: EdgeInputGuard },
      { provide: APP_FILTER, useClass: ErrorMappingFilter },
      { provide: APP_INTERCEPTOR, useClass: MetricsInterceptor },
      // Its lines are debug lines: at a higher level it would only cost every call an interceptor
      // layer (an async resource, an rxjs pipe) for output the logger drops.
      ...(logsCalls(options.config.LOG_LEVEL)
        ? [{ provide: APP_INTERCEPTOR, useClass: GrpcCallLogInterceptor }]
        : []),
    ];
    return {
      module: PlatformModule,
      controllers: [HealthController, AuditTrailGrpcController],
      providers,
      exports: [
        SERVICE_CONFIG,
        PG_POOL,
        EVENT_STORE,
        MESSAGE_BUS,
        CLOCK,
        CommandContexts,
        Readiness,
        ServiceMetrics,
        TokenVerifier,
        AccessAuthority,
        EVENT_SEALER,
      ],
    };
  }
}
