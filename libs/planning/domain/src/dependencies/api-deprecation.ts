import { assertIsoInstant } from '@trainyard/kernel';

export interface ApiVersionLifecycle {
  readonly api: string;
  readonly version: string;
  readonly deprecatedAt: string; // ISO-8601
  /** After this date the version is removed; consumers still on it are blocking. */
  readonly sunsetAt?: string;
}

export interface ApiConsumer {
  /** A service, component or workload id. */
  readonly consumer: string;
  readonly api: string;
  readonly version: string;
}

export interface DeprecationFlag {
  readonly consumer: string;
  readonly api: string;
  readonly version: string;
  readonly status: 'deprecated' | 'past-sunset';
  readonly deprecatedAt: string;
  readonly sunsetAt?: string;
  readonly daysPastDeprecation: number;
  readonly message: string;
}

const DAY_MS = 86_400_000;

export const API_VERSION_SUNSET_RULE = 'api-version-sunset';

/** The first consumed API version (in the given order) already removed at `asOf`, if any. */
export const sunsetApiVersion = (
  consumed: readonly { readonly api: string; readonly version: string }[] | undefined,
  lifecycles: readonly ApiVersionLifecycle[],
  asOf: string,
): ApiVersionLifecycle | undefined => {
  if (!consumed || consumed.length === 0 || lifecycles.length === 0) return undefined;
  const at = Date.parse(asOf);
  return consumed
    .map((c) => lifecycles.find((l) => l.api === c.api && l.version === c.version))
    .find((l) => l?.sunsetAt !== undefined && Date.parse(l.sunsetAt) <= at);
};

/**
 * Consumers still on an API version whose deprecation date has passed, so legacy integration
 * paths are not supported indefinitely. `now` comes from the caller, never from the clock here.
 */
export const flagDeprecatedApiUsage = (input: {
  readonly lifecycles: readonly ApiVersionLifecycle[];
  readonly consumers: readonly ApiConsumer[];
  readonly now: string;
}): readonly DeprecationFlag[] => {
  const now = Date.parse(assertIsoInstant('now', input.now));
  const lifecycle = new Map(input.lifecycles.map((l) => [`${l.api}@${l.version}`, l]));
  const flags: DeprecationFlag[] = [];
  for (const c of input.consumers) {
    const l = lifecycle.get(`${c.api}@${c.version}`);
    if (!l) continue;
    const deprecated = Date.parse(l.deprecatedAt);
    if (Number.isNaN(deprecated) || now < deprecated) continue;
    const sunset = l.sunsetAt !== undefined ? Date.parse(l.sunsetAt) : Number.NaN;
    const pastSunset = !Number.isNaN(sunset) && now >= sunset;
    const days = Math.floor((now - deprecated) / DAY_MS);
    flags.push({
      consumer: c.consumer,
      api: c.api,
      version: c.version,
      status: pastSunset ? 'past-sunset' : 'deprecated',
      deprecatedAt: l.deprecatedAt,
      ...(l.sunsetAt !== undefined ? { sunsetAt: l.sunsetAt } : {}),
      daysPastDeprecation: days,
      message: pastSunset
        ? `${c.consumer} still uses ${c.api} ${c.version}, removed at ${l.sunsetAt}`
        : `${c.consumer} uses ${c.api} ${c.version}, deprecated ${days} day(s) ago`,
    });
  }
  const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return flags.sort(
    (a, b) =>
      byText(a.api, b.api) || byText(a.version, b.version) || byText(a.consumer, b.consumer),
  );
};
