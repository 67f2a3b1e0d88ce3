// Which infrastructure the tests and `npm run infra:up` use: containers when a container runtime
// answers, the machine's PostgreSQL and the local Kafka broker otherwise; TRAINYARD_INFRA overrides.

export type InfraMode = 'local' | 'containers';

export const INFRA_MODES: readonly InfraMode[] = ['local', 'containers'];

/** What a probe of the container runtime found. */
export type ContainerRuntimeStatus =
  | { readonly available: true; readonly description: string }
  | { readonly available: false; readonly reason: string };

export type ContainerRuntimeProbe = () => Promise<ContainerRuntimeStatus>;

export interface InfraChoice {
  readonly mode: InfraMode;
  /** One line for the log: what was chosen and why. */
  readonly reason: string;
}

export class InfraSelectionError extends Error {
  override readonly name = 'InfraSelectionError';
}

/**
 * Decides from TRAINYARD_INFRA (`local`, `containers` or unset) and, unless `local` is asked for,
 * the container runtime probe. Asking for containers where no runtime answers is an error naming
 * the variable, never a silent fall-back.
 */
export async function chooseInfra(
  requested: string | undefined,
  probeRuntime: ContainerRuntimeProbe,
): Promise<InfraChoice> {
  const wanted = requested?.trim() || undefined;
  if (wanted !== undefined && !(INFRA_MODES as readonly string[]).includes(wanted)) {
    throw new InfraSelectionError(
      `invalid configuration: TRAINYARD_INFRA: expected local or containers (got ${JSON.stringify(requested)})`,
    );
  }
  if (wanted === 'local')
    return { mode: 'local', reason: 'local PostgreSQL and Kafka broker (TRAINYARD_INFRA=local)' };
  const runtime = await probeRuntime();
  if (runtime.available) {
    return {
      mode: 'containers',
      reason: `containers via ${runtime.description} (${wanted ? 'TRAINYARD_INFRA=containers' : 'a container runtime answered'})`,
    };
  }
  if (wanted === 'containers') {
    throw new InfraSelectionError(
      `TRAINYARD_INFRA=containers, but no container runtime answers (${runtime.reason}); start Docker (or Podman's Docker API and set DOCKER_HOST), or unset TRAINYARD_INFRA to use the local PostgreSQL and Kafka broker`,
    );
  }
  return {
    mode: 'local',
    reason: `local PostgreSQL and Kafka broker (no container runtime: ${runtime.reason})`,
  };
}
