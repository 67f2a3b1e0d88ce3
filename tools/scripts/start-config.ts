// What `npm start` gives each service, checked before anything starts, with the services' own schema.
import {
  ConfigurationError,
  DEFAULT_PORTS,
  SERVICES,
  loadServiceConfig,
  type ServiceName,
} from '@trainyard/platform';
import { SERVICE_SETTINGS } from './service-settings';

/** `PLANNING_GRPC_PORT` etc.: the per-service port variables of `npm start`. */
export const portVariable = (service: ServiceName, kind: 'grpc' | 'http'): string =>
  `${service.toUpperCase()}_${kind.toUpperCase()}_PORT`;

/** The service's environment under `npm start`: everything given, GRPC_PORT/HTTP_PORT from its own variables. */
export function serviceEnvironment(
  service: ServiceName,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return {
    ...env,
    GRPC_PORT: env[portVariable(service, 'grpc')] ?? String(DEFAULT_PORTS[service].grpc),
    HTTP_PORT: env[portVariable(service, 'http')] ?? String(DEFAULT_PORTS[service].http),
  };
}

/**
 * Every service's configuration as `npm start` would pass it, or one line naming each wrong
 * variable (as the services word it), said once when every service would refuse it alike.
 */
export function startConfigurationProblem(env: NodeJS.ProcessEnv): string | undefined {
  const problems = new Map<string, ServiceName[]>();
  for (const service of SERVICES) {
    try {
      loadServiceConfig(service, serviceEnvironment(service, env), SERVICE_SETTINGS[service]);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      for (const problem of error.message.replace(/^invalid configuration: /, '').split('; ')) {
        const message = problem.replace(
          /^(GRPC|HTTP)_PORT:/,
          (_, kind: string) => `${portVariable(service, kind === 'GRPC' ? 'grpc' : 'http')}:`,
        );
        problems.set(message, [...(problems.get(message) ?? []), service]);
      }
    }
  }
  if (problems.size === 0) return undefined;
  const parts = [...problems].map(([message, services]) =>
    services.length === SERVICES.length ? message : `${message} (${services.join(', ')})`,
  );
  return `invalid configuration: ${parts.join('; ')}`;
}
