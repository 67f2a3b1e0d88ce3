import type { ApiVersionEvent } from './api-version.events';
import type { ApiVersion } from './api-version.state';

// `state` is unused while deprecation is the only event: every version's history starts there.
export const evolveApiVersion = (_state: ApiVersion, event: ApiVersionEvent): ApiVersion => {
  switch (event.type) {
    case 'ApiVersionDeprecated':
      return {
        status: 'Deprecated',
        api: event.data.api,
        version: event.data.version,
        deprecatedAt: event.data.deprecatedAt,
        ...(event.data.sunsetAt !== undefined ? { sunsetAt: event.data.sunsetAt } : {}),
      };
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
};
