// docker-compose.yml cannot be started where the suite runs (no Docker engine), so this keeps it in
// step with the code instead: ports, variables and wiring are read from the same constants and schema
// the services use, and a change there without one here fails with the drift spelled out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_PORTS, SERVICES } from '@trainyard/platform';
import { POSTGRES_IMAGE, kafkaImage, kafkaVersion, localDir, repoRoot } from '@trainyard/infra';
import {
  bindMounts,
  composeFileSchema,
  environmentProblems,
  portProblems,
  publishedPorts,
  wiringProblems,
  type ComposeFile,
  type ComposeService,
} from './compose-consistency';

const root = repoRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');
// merge: the file shares settings between services with YAML merge keys (<<), as compose resolves them.
const compose: ComposeFile = composeFileSchema.parse(
  parse(read('docker-compose.yml'), { merge: true }),
);
const paths = { root, devPublicKeyFile: localDir('auth', 'dev-public.pem') };

function service(name: string, file: ComposeFile = compose): ComposeService {
  const found = file.services[name];
  if (!found)
    throw new Error(
      `docker-compose.yml has no service "${name}" (it has ${Object.keys(file.services).join(', ')})`,
    );
  return found;
}

describe('docker-compose.yml', () => {
  it('builds exactly the five services of SERVICES from the Dockerfile', () => {
    const built = Object.entries(compose.services)
      .filter(([, s]) => s.build !== undefined)
      .map(([name]) => name)
      .sort();
    expect(built).toEqual([...SERVICES].sort());
  });

  it('runs kafka, postgres and otel-collector, kafka and postgres with healthchecks', () => {
    expect(service('kafka').image).toMatch(/^apache\/kafka:4\./);
    expect(service('kafka').healthcheck).toBeDefined();
    expect(service('postgres').image).toMatch(/^postgres:15\b/);
    expect([service('postgres').healthcheck?.test].flat().join(' ')).toContain('pg_isready');
    expect(service('otel-collector').image).toMatch(/^otel\/opentelemetry-collector-contrib:/);
  });

  it('runs the Kafka version of the local broker (infra/kafka/pom.xml) and the images testcontainers starts', () => {
    expect(kafkaVersion()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(service('kafka').image).toBe(kafkaImage());
    expect(service('postgres').image).toBe(POSTGRES_IMAGE);
  });

  it('publishes each host port once', () => {
    const hostPorts = Object.values(compose.services).flatMap((s) =>
      publishedPorts(s).map((p) => p.host),
    );
    expect(hostPorts.filter((p, i) => hostPorts.indexOf(p) !== i)).toEqual([]);
  });

  describe.each(SERVICES)('%s', (name) => {
    it(`publishes DEFAULT_PORTS.${name} host:container, sets GRPC_PORT/HTTP_PORT to them and probes /readyz on the HTTP port`, () => {
      expect(portProblems(name, service(name))).toEqual([]);
    });

    it('sets only variables of serviceConfigSchema, all of which pass it', () => {
      expect(environmentProblems(name, service(name))).toEqual([]);
    });

    it('reaches postgres, kafka (in-network listener) and the collector by service name, mounts the dev public key, waits for healthy infra', () => {
      expect(wiringProblems(name, service(name), compose, paths)).toEqual([]);
    });

    it('is built from infra/docker/Dockerfile with SERVICE naming an app entry point', () => {
      const build = service(name).build;
      if (typeof build !== 'object')
        throw new Error(`${name}: build must name context, dockerfile and args.SERVICE`);
      const dockerfile = join(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
      expect(dockerfile).toBe(join(root, 'infra/docker/Dockerfile'));
      expect(existsSync(dockerfile)).toBe(true);
      expect(build.args['SERVICE']).toBe(name);
      // The Dockerfile starts dist/apps/$SERVICE/src/main.js, which `npm run build` compiles from here.
      expect(existsSync(join(root, 'apps', name, 'src', 'main.ts'))).toBe(true);
    });
  });

  it('mounts the collector configuration, whose OTLP receivers listen on 4317 (gRPC) and 4318 (HTTP) for the network', () => {
    const mount = bindMounts(service('otel-collector')).find((m) =>
      m.target.startsWith('/etc/otelcol-contrib/'),
    );
    expect(mount?.source).toBe('./infra/otel/collector.yaml');
    const config = parse(read('infra/otel/collector.yaml')) as {
      receivers: {
        otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } };
      };
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    };
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(config.service.pipelines['traces']).toEqual({
      receivers: ['otlp'],
      processors: ['batch'],
      exporters: ['debug'],
    });
    expect(publishedPorts(service('otel-collector'))).toEqual(
      expect.arrayContaining([
        { host: 4317, container: 4317 },
        { host: 4318, container: 4318 },
      ]),
    );
  });
});

describe('infra/docker/Dockerfile', () => {
  const dockerfile = read('infra/docker/Dockerfile');

  it('builds on node:24-slim with npm ci and npm run build, and starts dist/apps/$SERVICE/src/main.js', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toContain('dist/apps/$SERVICE/src/main.js');
    // `npm run build` must still write to dist/ for that path to exist.
    expect(JSON.parse(read('package.json')).scripts.build).toMatch(/ -d dist\b/);
  });

  it('keeps the development keys and local state out of the build context', () => {
    const ignored = read('infra/docker/Dockerfile.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.local', 'node_modules', 'dist', '.git']));
  });
});

// The checks above pass on the real file; these show each one fails, with a message naming the drift.
describe('the consistency checks catch drift', () => {
  const mutated = (name: string, change: (s: ComposeService) => void): ComposeFile => {
    const copy = structuredClone(compose);
    change(service(name, copy));
    return copy;
  };

  it('reports a default port changed in the code but not in the file', () => {
    const moved = { ...DEFAULT_PORTS.planning, grpc: DEFAULT_PORTS.planning.grpc + 10 };
    expect(portProblems('planning', service('planning'), moved)).toEqual([
      expect.stringContaining(`DEFAULT_PORTS.planning is gRPC ${moved.grpc}`),
      expect.stringContaining(
        `GRPC_PORT is ${DEFAULT_PORTS.planning.grpc} but DEFAULT_PORTS.planning says ${moved.grpc}`,
      ),
    ]);
  });

  it('reports a port changed in the file but not in the code', () => {
    const file = mutated('metrics', (s) => {
      s.ports = ['13005:3005', '50055:50055'];
    });
    expect(portProblems('metrics', service('metrics', file))).toEqual([
      expect.stringContaining('publishes 13005:3005, 50055:50055'),
    ]);
  });

  it('reports an unknown variable and a value the schema rejects', () => {
    const file = mutated('scheduling', (s) => {
      s.environment['KAFKA_BROKER'] = 'kafka:29092';
      s.environment['LOG_LEVEL'] = 'verbose';
    });
    expect(environmentProblems('scheduling', service('scheduling', file))).toEqual([
      expect.stringContaining('KAFKA_BROKER is not a variable of serviceConfigSchema'),
      expect.stringContaining('LOG_LEVEL="verbose" fails the schema'),
    ]);
  });

  it('reports brokers and database addressed as localhost, which inside a container is the service itself', () => {
    const file = mutated('deployment', (s) => {
      s.environment['KAFKA_BROKERS'] = '127.0.0.1:9092';
      s.environment['DATABASE_URL'] = 'postgres://postgres@127.0.0.1:5432/trainyard';
    });
    expect(wiringProblems('deployment', service('deployment', file), file, paths)).toEqual([
      expect.stringContaining('must point at the compose service "postgres"'),
      expect.stringContaining(
        'KAFKA_BROKERS entry "127.0.0.1:9092" must be the compose service "kafka"',
      ),
    ]);
  });

  it('reports a kafka address that is not one of its advertised listeners', () => {
    const file = mutated('compliance', (s) => {
      s.environment['KAFKA_BROKERS'] = 'kafka:9092';
    });
    expect(wiringProblems('compliance', service('compliance', file), file, paths)).toEqual([
      expect.stringContaining(
        "KAFKA_BROKERS kafka:9092 is not one of kafka's advertised listeners",
      ),
    ]);
  });

  it('reports a public key path that nothing mounts', () => {
    const file = mutated('planning', (s) => {
      s.environment['AUTH_PUBLIC_KEY_FILE'] = '/run/secrets/other.pem';
    });
    expect(wiringProblems('planning', service('planning', file), file, paths)).toEqual([
      expect.stringContaining(
        'AUTH_PUBLIC_KEY_FILE /run/secrets/other.pem is not the target of a bind mount',
      ),
    ]);
  });
});
