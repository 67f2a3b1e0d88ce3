// Checks docker-compose.yml against the code it runs: ports, variables and wiring. No Docker engine is
// needed, so CI keeps the file honest even where it cannot be started. Each check returns readable
// problems ([] when consistent) so a failing test says what drifted, not just that something did.
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_PORTS, serviceConfigSchema, type ServiceName } from '@trainyard/platform';
import { SERVICE_SETTINGS } from '../scripts/service-settings';

const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** compose accepts `KEY: value` maps and `- KEY=value` lists; both become a string map. */
const environment = z
  .union([stringMap, z.array(z.string())])
  .optional()
  .transform((value): Record<string, string> => {
    if (value === undefined) return {};
    if (Array.isArray(value)) {
      return Object.fromEntries(
        value.map((entry) => [entry.split('=')[0] ?? entry, entry.slice(entry.indexOf('=') + 1)]),
      );
    }
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, v === null ? '' : String(v)]),
    );
  });

const port = z.union([
  z.string(),
  z.number(),
  z.object({ target: z.coerce.number(), published: z.union([z.string(), z.number()]).optional() }),
]);

const volume = z.union([
  z.string(),
  z.object({ type: z.string().optional(), source: z.string().optional(), target: z.string() }),
]);

const composeService = z.object({
  image: z.string().optional(),
  build: z
    .union([
      z.string(),
      z.object({
        context: z.string().optional(),
        dockerfile: z.string().optional(),
        args: environment,
      }),
    ])
    .optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  environment,
  ports: z.array(port).default([]),
  volumes: z.array(volume).default([]),
  depends_on: z
    .union([
      z.array(z.string()),
      z.record(z.string(), z.object({ condition: z.string().optional() })),
    ])
    .optional(),
  healthcheck: z.object({ test: z.union([z.string(), z.array(z.string())]) }).optional(),
});

export const composeFileSchema = z.object({ services: z.record(z.string(), composeService) });
export type ComposeFile = z.infer<typeof composeFileSchema>;
export type ComposeService = z.infer<typeof composeService>;

export interface PortMapping {
  readonly host?: number;
  readonly container: number;
}

/** Short syntax `[ip:][host:]container[/proto]` or long syntax, as host/container numbers. */
export function publishedPorts(service: ComposeService): PortMapping[] {
  return service.ports.map((entry) => {
    if (typeof entry === 'object') {
      return entry.published === undefined
        ? { container: entry.target }
        : { host: Number(entry.published), container: entry.target };
    }
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = Number(parts[parts.length - 1]);
    return parts.length === 1
      ? { container }
      : { host: Number(parts[parts.length - 2]), container };
  });
}

export interface BindMount {
  readonly source: string;
  readonly target: string;
}

export function bindMounts(service: ComposeService): BindMount[] {
  return service.volumes.flatMap((entry): BindMount[] => {
    if (typeof entry === 'string') {
      const [source = '', target = ''] = entry.split(':');
      return /^[./~]/.test(source) ? [{ source, target }] : [];
    }
    return entry.type === 'bind' && entry.source
      ? [{ source: entry.source, target: entry.target }]
      : [];
  });
}

const describePorts = (mappings: readonly PortMapping[]) =>
  mappings
    .map((m) => `${m.host ?? '(none)'}:${m.container}`)
    .sort()
    .join(', ') || '(none)';

/** Published host:container ports, GRPC_PORT/HTTP_PORT and the /readyz probe all equal the code's defaults. */
export function portProblems(
  name: ServiceName,
  service: ComposeService,
  ports = DEFAULT_PORTS[name],
): string[] {
  const problems: string[] = [];
  const expected = [
    { host: ports.grpc, container: ports.grpc },
    { host: ports.http, container: ports.http },
  ];
  const actual = publishedPorts(service);
  if (describePorts(actual) !== describePorts(expected)) {
    problems.push(
      `${name}: publishes ${describePorts(actual)} but DEFAULT_PORTS.${name} is gRPC ${ports.grpc}, HTTP ${ports.http} (expected ${describePorts(expected)})`,
    );
  }
  for (const [variable, value] of [
    ['GRPC_PORT', ports.grpc],
    ['HTTP_PORT', ports.http],
  ] as const) {
    if (service.environment[variable] !== String(value)) {
      problems.push(
        `${name}: ${variable} is ${service.environment[variable] ?? '(not set)'} but DEFAULT_PORTS.${name} says ${value}`,
      );
    }
  }
  const probe = [service.healthcheck?.test ?? []].flat().join(' ');
  if (!new RegExp(`//(127\\.0\\.0\\.1|localhost):${ports.http}/readyz\\b`).test(probe)) {
    problems.push(
      `${name}: healthcheck does not fetch http://127.0.0.1:${ports.http}/readyz (it runs: ${probe || '(no healthcheck)'})`,
    );
  }
  return problems;
}

/** Every variable is one serviceConfigSchema reads, and the set as a whole passes the schema. */
export function environmentProblems(name: ServiceName, service: ComposeService): string[] {
  const schema = serviceConfigSchema(name, SERVICE_SETTINGS[name]);
  const known = new Set(Object.keys(schema.shape));
  const problems = Object.keys(service.environment)
    .filter((variable) => !known.has(variable))
    .map(
      (variable) =>
        `${name}: ${variable} is not a variable of serviceConfigSchema (known: ${[...known].join(', ')})`,
    );
  const result = schema.safeParse(service.environment);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? '?');
      problems.push(
        `${name}: ${variable}=${JSON.stringify(service.environment[variable])} fails the schema: ${issue.message}`,
      );
    }
  }
  return problems;
}

const hostAndPort = (address: string) => {
  const match = /^(?:[A-Za-z_]+:\/\/)?([^:/]*):(\d+)$/.exec(address.trim());
  return match ? { host: match[1] ?? '', port: Number(match[2]) } : undefined;
};

/** The service reaches postgres, kafka's in-network listener and the collector by their compose names. */
export function wiringProblems(
  name: ServiceName,
  service: ComposeService,
  compose: ComposeFile,
  paths: { readonly root: string; readonly devPublicKeyFile: string },
): string[] {
  const problems: string[] = [];
  const env = service.environment;
  const postgres = compose.services['postgres'];
  const kafka = compose.services['kafka'];

  const database = env['DATABASE_URL'] ? URL.parse(env['DATABASE_URL']) : null;
  if (!database || database.hostname !== 'postgres' || !postgres) {
    problems.push(
      `${name}: DATABASE_URL ${env['DATABASE_URL'] ?? '(not set)'} must point at the compose service "postgres"`,
    );
  } else {
    const pg = postgres.environment;
    if ((database.port || '5432') !== '5432')
      problems.push(
        `${name}: DATABASE_URL port ${database.port} is not PostgreSQL's 5432 in the container`,
      );
    const dbName = database.pathname.replace(/^\//, '');
    const expectedDb = pg['POSTGRES_DB'] ?? pg['POSTGRES_USER'] ?? 'postgres';
    if (dbName !== expectedDb)
      problems.push(
        `${name}: DATABASE_URL database "${dbName}" but postgres creates POSTGRES_DB "${expectedDb}"`,
      );
    const user = decodeURIComponent(database.username);
    if (user !== (pg['POSTGRES_USER'] ?? 'postgres'))
      problems.push(
        `${name}: DATABASE_URL user "${user}" is not POSTGRES_USER "${pg['POSTGRES_USER'] ?? 'postgres'}"`,
      );
    const password = decodeURIComponent(database.password);
    if (pg['POSTGRES_HOST_AUTH_METHOD'] !== 'trust' && password !== pg['POSTGRES_PASSWORD']) {
      problems.push(
        `${name}: DATABASE_URL password does not match POSTGRES_PASSWORD (and postgres does not use trust auth)`,
      );
    }
  }

  const advertised = (kafka?.environment['KAFKA_ADVERTISED_LISTENERS'] ?? '')
    .split(',')
    .map((l) => l.trim().replace(/^[A-Za-z_]+:\/\//, ''));
  for (const broker of (env['KAFKA_BROKERS'] ?? '').split(',')) {
    const address = hostAndPort(broker);
    if (!address || address.host !== 'kafka' || !kafka) {
      problems.push(`${name}: KAFKA_BROKERS entry "${broker}" must be the compose service "kafka"`);
    } else if (!advertised.includes(`${address.host}:${address.port}`)) {
      problems.push(
        `${name}: KAFKA_BROKERS ${broker} is not one of kafka's advertised listeners (${advertised.join(', ')})`,
      );
    }
  }

  const otel = env['OTEL_EXPORTER_OTLP_ENDPOINT']
    ? URL.parse(env['OTEL_EXPORTER_OTLP_ENDPOINT'])
    : null;
  if (
    !otel ||
    otel.hostname !== 'otel-collector' ||
    otel.port !== '4318' ||
    !compose.services['otel-collector']
  ) {
    problems.push(
      `${name}: OTEL_EXPORTER_OTLP_ENDPOINT ${env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '(not set)'} must be http://otel-collector:4318 (the collector's OTLP/HTTP receiver)`,
    );
  }

  const keyFile = env['AUTH_PUBLIC_KEY_FILE'];
  const mount = bindMounts(service).find((m) => m.target === keyFile);
  if (!keyFile || !mount) {
    problems.push(
      `${name}: AUTH_PUBLIC_KEY_FILE ${keyFile ?? '(not set)'} is not the target of a bind mount of this service`,
    );
  } else if (resolve(paths.root, mount.source) !== resolve(paths.devPublicKeyFile)) {
    problems.push(
      `${name}: AUTH_PUBLIC_KEY_FILE is mounted from ${mount.source}, not the key \`npm run token\` creates (${paths.devPublicKeyFile})`,
    );
  }
  // `npm run token` signs with the schema's default issuer and audience unless told otherwise.
  const defaults = serviceConfigSchema(name).parse({});
  for (const variable of ['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
    if (env[variable] !== undefined && env[variable] !== defaults[variable]) {
      problems.push(
        `${name}: ${variable}=${env[variable]} differs from ${defaults[variable]}, which \`npm run token\` signs for`,
      );
    }
  }

  const dependsOn = service.depends_on;
  for (const dependency of ['kafka', 'postgres']) {
    const condition = Array.isArray(dependsOn) ? undefined : dependsOn?.[dependency]?.condition;
    if (condition !== 'service_healthy')
      problems.push(
        `${name}: depends_on ${dependency} must wait for service_healthy (is ${condition ?? 'missing'})`,
      );
  }
  return problems;
}
