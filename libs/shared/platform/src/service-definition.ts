import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { MigrationSet } from '@trainyard/event-store';
import type { IntegrationEventMapping } from '@trainyard/messaging';
import type { Clock, ProjectionDefinition } from '@trainyard/kernel';
import type { Logger } from '@trainyard/observability';
import type { ServiceConfig, ServiceName, ServiceSettingsSchema } from './config/service-config';
import type { Readiness } from './health/readiness';

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

/** The service's integration-event topic (ARCHITECTURE.md): `trainyard.<service>.events.v1`. */
export function eventsTopic(service: ServiceName): string {
  return `trainyard.${service}.events.v1`;
}
