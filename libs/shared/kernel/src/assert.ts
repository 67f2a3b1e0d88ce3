import { ValidationError, type FieldViolation } from './domain-error';
import type { CommandMetadata } from './command';

/** An ISO-8601 instant with a time zone (`Z` or an offset): what `CommandMetadata.now` holds. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const isIsoInstant = (value: unknown): value is string =>
  typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));

/** The value as an ISO-8601 instant, or a `ValidationError` naming `field`. */
export const assertIsoInstant = (field: string, value: unknown): string => {
  if (!isIsoInstant(value))
    throw new ValidationError(field, `${field} must be an ISO-8601 instant; got ${String(value)}`);
  return value;
};

/** The value as a string with something other than white space, or a `ValidationError` naming `field`. */
export const assertNonEmpty = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, `${field} is required`);
  return value;
};

/** What every decider checks first: the context's clock reading and the actor. */
export const assertMetadata = (metadata: CommandMetadata): void => {
  assertIsoInstant('metadata.now', metadata.now);
  assertNonEmpty('metadata.actor', metadata.actor);
};

/**
 * Runs every check, gathering the ValidationErrors they throw, then throws one ValidationError
 * with all their violations: a request with several bad fields is answered with all of them.
 * Any other error passes through at once. Checks that depend on each other belong in one check.
 */
export const validateAll = (...checks: readonly (() => unknown)[]): void => {
  const found: FieldViolation[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      found.push(...error.violations);
    }
  }
  const [first, ...more] = found;
  if (first) throw ValidationError.of([first, ...more]);
};

/**
 * `validateAll` over a list: `check` runs on every element with its path (`field[i]`), and every
 * element it refuses is reported, not just the first.
 */
export const validateEach = <T>(
  field: string,
  items: readonly T[],
  check: (item: T, path: string) => unknown,
): void => validateAll(...items.map((item, i) => () => check(item, `${field}[${i}]`)));
