// The five services as the local scripts run them (one definition each, from the apps themselves).
import type { ServiceDefinition, ServiceName } from '@trainyard/platform';
import { compliance, deployment, metrics, planning, scheduling } from './service-definitions';

export const SERVICE_DEFINITIONS: Record<ServiceName, ServiceDefinition> = {
  planning,
  scheduling,
  deployment,
  compliance,
  metrics,
};
