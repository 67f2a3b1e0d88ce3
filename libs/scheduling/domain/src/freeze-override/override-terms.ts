import { ValidationError } from '@trainyard/kernel';
import type { CalendarScope, Interval } from '../calendar/calendar-entry';
import type { FreezeOverride, OverrideTerms } from './freeze-override.state';

const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * An RFC 3339 instant (seconds required, `Z` or an offset) as epoch milliseconds, or a
 * ValidationError naming `field`. A calendar date that does not exist (30 February, hour 24) is
 * refused, though `Date.parse` would roll it over.
 */
export const parseRfc3339 = (field: string, value: unknown): number => {
  const match = typeof value === 'string' ? RFC_3339.exec(value) : null;
  const ms = match && typeof value === 'string' ? Date.parse(value.toUpperCase()) : NaN;
  if (match && Number.isFinite(ms)) {
    const sign = match[9] === '-' ? -1 : 1;
    const offsetMs =
      match[8]?.toUpperCase() === 'Z'
        ? 0
        : sign * (Number(match[10]) * 60 + Number(match[11])) * 60_000;
    const wall = new Date(ms + offsetMs).toISOString();
    const given = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}`;
    if (wall.startsWith(given)) return ms;
  }
  throw new ValidationError(
    field,
    `${field} must be an RFC 3339 instant such as 2031-05-04T09:00:00Z; got ${String(value).slice(0, 64)}`,
  );
};

/** Epoch milliseconds as the UTC text every event stores. */
export const utcInstant = (ms: number): string => new Date(ms).toISOString();

const DIMENSIONS = ['trains', 'teams', 'environments', 'components'] as const;

/**
 * `inner` lies inside `outer`: in every dimension `outer` restricts, `inner` names values and all
 * of them are in `outer`'s list (a use that does not say its environment could be anywhere).
 */
export const scopeWithin = (inner: CalendarScope, outer: CalendarScope): boolean =>
  DIMENSIONS.every((dimension) => {
    const allowed = outer[dimension] ?? [];
    if (allowed.length === 0) return true;
    const values = inner[dimension] ?? [];
    return values.length > 0 && values.every((v) => allowed.includes(v));
  });

const isNone = (value: FreezeOverride | OverrideTerms): value is { readonly status: 'None' } =>
  'status' in value && (value as { status: unknown }).status === 'None';

/**
 * Whether the override lifts its freeze at `atMs`: from the Nth distinct approval until `to`,
 * unless revoked by then. Time-based, so an override stops at `to` whether or not the sweeper has
 * recorded its expiry yet.
 */
export const isOverrideActive = (
  override: FreezeOverride | OverrideTerms,
  atMs: number,
): boolean => {
  if (isNone(override)) return false;
  const { activatedAt, revokedAt } = override;
  if (activatedAt === undefined || activatedAt === null) return false;
  if (atMs < Date.parse(activatedAt) || atMs >= Date.parse(override.to)) return false;
  return revokedAt === undefined || revokedAt === null || atMs < Date.parse(revokedAt);
};

/**
 * The instants an active override lifts its freeze for: [max(from, activatedAt), to). A slot
 * before the approval is not covered: an override is never granted retroactively.
 */
export const overrideWindow = (override: OverrideTerms): Interval | undefined => {
  if (!override.activatedAt) return undefined;
  const start = Math.max(Date.parse(override.from), Date.parse(override.activatedAt));
  const end = Math.min(
    Date.parse(override.to),
    override.revokedAt ? Date.parse(override.revokedAt) : Number.POSITIVE_INFINITY,
  );
  return end > start ? { start, end } : undefined;
};

/**
 * The first override that, decided at `atMs`, lifts a freeze for a deployment of `scope` over
 * `interval`: active at `atMs`, for `freezeId` when given, the deployment's scope inside the
 * override's and its interval inside the override's window. Nobody bypasses a freeze without
 * one: there is no other way for placement to lift it.
 */
export const coveringOverride = <T extends FreezeOverride | OverrideTerms>(
  overrides: readonly T[],
  scope: CalendarScope,
  interval: Interval,
  atMs: number,
  freezeId?: string,
): T | undefined =>
  overrides.find((override) => {
    if (isNone(override) || !isOverrideActive(override, atMs)) return false;
    if (freezeId !== undefined && override.freezeId !== freezeId) return false;
    const window = overrideWindow(override);
    return (
      window !== undefined &&
      interval.start >= window.start &&
      interval.end <= window.end &&
      interval.end > interval.start &&
      scopeWithin(scope, override.scope)
    );
  });

/** `coveringOverride` as a yes or no: is the freeze lifted for this deployment? */
export const overrideCovers = (
  overrides: readonly (FreezeOverride | OverrideTerms)[],
  scope: CalendarScope,
  interval: Interval,
  atMs: number,
  freezeId?: string,
): boolean => coveringOverride(overrides, scope, interval, atMs, freezeId) !== undefined;
