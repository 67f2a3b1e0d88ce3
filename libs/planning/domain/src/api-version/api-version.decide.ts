import {
  assertIsoInstant,
  assertMetadata,
  assertNonEmpty,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type { ApiVersionCommand, DeprecateApiVersion } from './api-version.commands';
import type { ApiVersionEvent } from './api-version.events';
import type { ApiVersion } from './api-version.state';

export const API_DEPRECATION_FIXED_RULE = 'api-deprecation-timeline-fixed';

/**
 * Deprecation is announced once: consumers plan their migration on the dates they were given, so
 * a different timeline for the same version is refused (a retry with the same dates is a no-op).
 */
export const deprecateApiVersion = (
  command: DeprecateApiVersion,
  state: ApiVersion,
): ApiVersionEvent[] => {
  assertMetadata(command.metadata);
  const { api, version, deprecatedAt, sunsetAt } = command.data;
  assertNonEmpty('api', api);
  assertNonEmpty('version', version);
  assertIsoInstant('deprecatedAt', deprecatedAt);
  if (sunsetAt !== undefined) {
    assertIsoInstant('sunsetAt', sunsetAt);
    if (Date.parse(sunsetAt) <= Date.parse(deprecatedAt))
      throw new ValidationError('sunsetAt', 'sunsetAt must be after deprecatedAt');
  }
  const reason = assertNonEmpty('reason', command.metadata.reason);
  if (state.status === 'Deprecated') {
    const same =
      Date.parse(state.deprecatedAt) === Date.parse(deprecatedAt) &&
      (state.sunsetAt === undefined
        ? sunsetAt === undefined
        : sunsetAt !== undefined && Date.parse(state.sunsetAt) === Date.parse(sunsetAt));
    if (same) return [];
    throw new RuleViolation(
      API_DEPRECATION_FIXED_RULE,
      `${api} ${version} was deprecated at ${state.deprecatedAt}${state.sunsetAt ? ` with sunset ${state.sunsetAt}` : ''}; its timeline does not change once announced`,
    );
  }
  return [
    {
      type: 'ApiVersionDeprecated',
      data: {
        api,
        version,
        deprecatedAt,
        ...(sunsetAt !== undefined ? { sunsetAt } : {}),
        reason,
        deprecatedBy: command.metadata.actor,
        recordedAt: command.metadata.now,
      },
    },
  ];
};

export const decideApiVersion = (
  command: ApiVersionCommand,
  state: ApiVersion,
): ApiVersionEvent[] => {
  switch (command.type) {
    case 'DeprecateApiVersion':
      return deprecateApiVersion(command, state);
    default: {
      const unknown: never = command.type;
      throw new Error(`unknown command ${String(unknown)}`);
    }
  }
};
