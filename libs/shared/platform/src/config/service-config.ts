import { z } from 'zod';
import { DEFAULT_INBOX_RETENTION_DAYS } from '@trainyard/messaging';
import {
  KAFKA_TOPIC_NAME,
  isSecretSetting,
  secretSetting,
  wholeNumberSetting,
} from './setting-types';

export const SERVICES = ['planning', 'scheduling', 'deployment', 'compliance', 'metrics'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Default ports (ARCHITECTURE.md); every one can be overridden by its variable. */
export const DEFAULT_PORTS: Record<ServiceName, { grpc: number; http: number }> = {
  planning: { grpc: 50051, http: 3001 },
  scheduling: { grpc: 50052, http: 3002 },
  deployment: { grpc: 50053, http: 3003 },
  compliance: { grpc: 50054, http: 3004 },
  metrics: { grpc: 50055, http: 3005 },
};

const port = z.coerce
  .number({ error: 'expected a port number' })
  .int('expected an integer port')
  .min(0, 'expected a port 0-65535')
  .max(65535, 'expected a port 0-65535');

const postgresUrl = z
  .string()
  .url('expected a URL like postgres://user@host:5432/database')
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'expected a postgres:// URL');

const brokers = z
  .string()
  .min(1, 'expected host:port[,host:port…]')
  .refine(
    (value) => value.split(',').every((b) => /^[^\s:]+:\d{1,5}$/.test(b.trim())),
    'expected host:port[,host:port…]',
  )
  .transform((value) => value.split(',').map((b) => b.trim()));

const positiveMs = z.coerce
  .number({ error: 'expected milliseconds' })
  .int('expected whole milliseconds')
  .positive('expected a positive number of milliseconds');

/**
 * A service's own settings (apps/<service>/src/config/<service>-settings.ts): variables only that
 * service reads, validated with the platform's at start, so a wrong one is named like any other.
 */
export type ServiceSettingsSchema = z.ZodObject;

/**
 * Every variable a service reads, with its default: the platform's, plus the service's own
 * settings when given. Keep docker-compose.yml and the README's configuration table in step: a
 * test compares them with this schema.
 */
export function serviceConfigSchema(service: ServiceName): PlatformConfigSchema;
export function serviceConfigSchema(
  service: ServiceName,
  settings: ServiceSettingsSchema | undefined,
): z.ZodObject;
export function serviceConfigSchema(service: ServiceName, settings?: ServiceSettingsSchema) {
  const platform = platformConfigSchema(service);
  return settings ? platform.extend(settings.shape) : platform;
}

type PlatformConfigSchema = ReturnType<typeof platformConfigSchema>;

function platformConfigSchema(service: ServiceName) {
  return z.object({
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    GRPC_PORT: port.default(DEFAULT_PORTS[service].grpc),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: port.default(DEFAULT_PORTS[service].http),
    DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/trainyard'),
    DATABASE_POOL_SIZE: z.coerce
      .number({ error: 'expected a number' })
      .int()
      .min(1, 'expected at least 1')
      .max(200)
      .default(10),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier')
      .default(service),
    KAFKA_BROKERS: brokers.default(['127.0.0.1:9092']),
    KAFKA_CLIENT_ID: z.string().min(1).default(`trainyard-${service}`),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .string()
      .url('expected a URL like http://collector:4318')
      .optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
      .string()
      .url('expected a URL like http://collector:4318/v1/traces')
      .optional(),
    // Read by the OpenTelemetry SDK itself (libs/shared/observability); checked here so a typo is named, not ignored.
    OTEL_TRACES_SAMPLER: z
      .enum([
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ])
      .optional(),
    OTEL_TRACES_SAMPLER_ARG: z.coerce
      .number({ error: 'expected a ratio 0-1' })
      .min(0, 'expected a ratio 0-1')
      .max(1, 'expected a ratio 0-1')
      .optional(),
    // Read by the OpenTelemetry SDK before the configuration loads (libs/shared/observability
    // starts first, to patch the libraries it instruments); checked here so a typo is named.
    OTEL_METRICS_EXPORTER: z
      .string()
      .regex(
        /^\s*$|^\s*(none|otlp|prometheus|console)\s*(,\s*(none|otlp|prometheus|console)\s*)*$/,
        'expected none, otlp, prometheus or console, comma-separated',
      )
      .optional(),
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z
      .string()
      .url('expected a URL like http://collector:4318/v1/metrics')
      .optional(),
    AUTH_ISSUER: z.string().min(1).default('trainyard-dev'),
    AUTH_AUDIENCE: z.string().min(1).default('trainyard'),
    AUTH_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    AUTH_JWKS_URL: z.string().url('expected the https URL of a JWKS document').optional(),
    SHUTDOWN_GRACE_MS: positiveMs.default(10_000),
    READINESS_INTERVAL_MS: positiveMs.default(5_000),
    // The transparency log (ADR 0010): how often the sealer signs a checkpoint while the tree grows,
    // the Ed25519 key (created on first use; default .local/audit/<schema>/checkpoint-key.pem), the
    // log's origin line (also the key name; default trainyard.local/<schema>) and the directory
    // checkpoints are written to for shipping elsewhere (default .local/audit/<schema>/checkpoints).
    AUDIT_CHECKPOINT_INTERVAL_MS: positiveMs.default(10_000),
    AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
    AUDIT_LOG_ORIGIN: z
      .string()
      .regex(/^[^\s+]+$/, 'expected a log origin without spaces or "+", like example.com/planning')
      .optional(),
    AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
    // The compacted topic compliance publishes the access model on (issue 13 item 8); every
    // service's guard reads it. Tests give each run its own.
    ACCESS_MODEL_TOPIC: z
      .string()
      .regex(KAFKA_TOPIC_NAME, 'expected a Kafka topic name')
      .default('trainyard.access.model.v1'),
    // The Ed25519 PKCS#8 key signing the manifests of evidence bundles exported through the
    // compliance API (as AUDIT_BUNDLE_SIGNING_KEY_FILE for `npm run audit:export`); without one a
    // key is generated per bundle and its fingerprint returned.
    AUDIT_BUNDLE_SIGNING_KEY_FILE: z.string().min(1).optional(),
    // The inbox (every service's consumers and reactors record the event ids they handled there,
    // to skip redeliveries) is pruned every MESSAGING_INBOX_PRUNE_MS (0: never) of the rows
    // handled more than MESSAGING_INBOX_RETENTION_DAYS ago. A redelivery older than that is
    // handled again, so keep it above the consumed topics' retention.ms + segment.ms (broker
    // defaults: 7 + 7 days); each consumer warns at start of a topic that outlives it.
    MESSAGING_INBOX_RETENTION_DAYS: wholeNumberSetting(
      'days',
      1,
      3650,
      DEFAULT_INBOX_RETENTION_DAYS,
    ),
    MESSAGING_INBOX_PRUNE_MS: wholeNumberSetting('milliseconds', 0, 86_400_000, 3_600_000),
    // The scheduling service's batch-job runtime (issue 12; other services ignore these): tasks
    // executed at once by this instance (0: schedule and admit only, never execute), the name it
    // holds leases under (default <hostname>-<pid>), a running task's lease (renewed every third
    // of it; a dead worker's task is reclaimed after it), the environment whose parameters tasks
    // get, whether this instance ticks the schedules, and how long a stop waits for tasks in
    // flight before aborting them.
    SCHEDULING_JOB_WORKERS: z.coerce
      .number({ error: 'expected a number of workers' })
      .int('expected a whole number of workers')
      .min(0, 'expected 0-1000 workers')
      .max(1000, 'expected 0-1000 workers')
      .default(24),
    SCHEDULING_JOB_INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'expected 1-100 letters, digits, ".", "_", ":" or "-"')
      .optional(),
    SCHEDULING_JOB_LEASE_MS: positiveMs
      .min(1_000, 'expected at least 1000 milliseconds')
      .default(30_000),
    SCHEDULING_JOB_ENVIRONMENT: z
      .enum(['dev', 'staging', 'prod'], { error: 'expected dev, staging or prod' })
      .default('prod'),
    SCHEDULING_JOB_SCHEDULER: z
      .enum(['on', 'off'], { error: 'expected on or off' })
      .default('on')
      .transform((value) => value === 'on'),
    SCHEDULING_JOB_DRAIN_MS: positiveMs.default(5_000),
    // The operator's key for personal data in events (crypto-shredding, @trainyard/privacy reads
    // them): the base64 key itself, or a file holding it (required in production), its id, and
    // the schema of the per-subject keys.
    TRAINYARD_PII_KEK: secretSetting(
      z
        .string()
        .regex(/^[A-Za-z0-9+/]{43}=$/, 'expected the base64 of 32 bytes')
        .optional(),
    ),
    TRAINYARD_PII_KEK_FILE: z.string().min(1).optional(),
    TRAINYARD_PII_KEK_ID: z.string().min(1).optional(),
    TRAINYARD_PII_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a PostgreSQL schema name')
      .optional(),
    // `production` makes the personal-data key mandatory (never a development key).
    NODE_ENV: z.string().optional(),
  });
}

export type ServiceConfig = z.infer<PlatformConfigSchema> & {
  readonly service: ServiceName;
};

/** The configuration of a service with settings of its own: `ServiceConfigWith<SchedulingSettings>`. */
export type ServiceConfigWith<Settings> = ServiceConfig & Settings;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Parses the environment, with the service's own settings when given. On wrong or missing values
 * it throws one ConfigurationError whose message is a single line naming every such variable,
 * what is expected and what was given.
 */
export function loadServiceConfig<
  Settings extends ServiceSettingsSchema = z.ZodObject<Record<never, z.ZodType>>,
>(
  service: ServiceName,
  env: NodeJS.ProcessEnv = process.env,
  settings?: Settings,
): ServiceConfigWith<z.infer<Settings>> {
  const schema = serviceConfigSchema(service, settings);
  const result = schema.safeParse(env);
  if (!result.success) {
    const shape: Record<string, z.ZodType | undefined> = schema.shape;
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '?');
      const given = env[variable];
      const shown =
        given === undefined
          ? ' (not set)'
          : isSecretSetting(shape[variable])
            ? ' (value withheld: a secret)'
            : ` (got ${JSON.stringify(given)})`;
      return `${variable}: ${issue.message}${shown}`;
    });
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  return { ...(result.data as ServiceConfigWith<z.infer<Settings>>), service };
}
