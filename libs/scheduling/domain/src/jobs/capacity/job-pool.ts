import { assertMetadata, ValidationError, type Command, type DomainEvent } from '@trainyard/kernel';
import type { CalendarEntryKind } from '../../calendar/calendar-entry';
import { canonicalJson } from '../canonical-json';
import { POOL_KEY } from '../job-manifest';

/**
 * Pools and team weights as administered (issue 12, item 4): a pool is a resource key (e.g.
 * `db:payments`) with a number of slots shared by every job and every scheduler instance; during a
 * declared high-load period (a `holiday` entry of the part-1 calendar such as "month-end close")
 * some of its slots are reserved for `critical` jobs. Streams `job-pool-<key>` and
 * `team-weight-<team>`; every change is an event.
 */
export const TEAM_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A pool's capacity (a manifest's claim on it is at most MAX_POOL_CAPACITY of job-manifest). */
export const MAX_POOL_CAPACITY = 10_000;
const MAX_POOL_KEY_LENGTH = 200;
export const MAX_HIGH_LOAD_RESERVATIONS = 20;
export const MIN_TEAM_WEIGHT = 0.01;
export const MAX_TEAM_WEIGHT = 1_000;
/** Calendar entries that may declare a high-load period: days of a business calendar. */
export const HIGH_LOAD_ENTRY_KIND: CalendarEntryKind = 'holiday';

export interface HighLoadReservation {
  /** A `holiday` calendar entry (e.g. month-end close): its occurrences are the high-load periods. */
  readonly calendarEntryId: string;
  /** Slots only critical jobs may take while an occurrence is active. */
  readonly criticalSlots: number;
}

export interface JobPoolDefinition {
  readonly key: string;
  readonly slots: number;
  readonly highLoadReservations: readonly HighLoadReservation[];
  readonly description?: string;
}

export type PutJobPool = Command<'PutJobPool', { readonly pool: JobPoolDefinition }>;
export type SetTeamWeight = Command<
  'SetTeamWeight',
  { readonly team: string; readonly weight: number }
>;

export type JobPoolPut = DomainEvent<
  'JobPoolPut',
  {
    readonly pool: JobPoolDefinition;
    /** The slots before (absent: the pool is new). */
    readonly previousSlots?: number;
    readonly putBy: string;
    readonly putAt: string;
  }
>;
export type TeamWeightSet = DomainEvent<
  'TeamWeightSet',
  {
    readonly team: string;
    readonly weight: number;
    readonly previousWeight?: number;
    readonly setBy: string;
    readonly setAt: string;
  }
>;

export type JobPool =
  | { readonly status: 'Undefined' }
  | { readonly status: 'Defined'; readonly pool: JobPoolDefinition };
export type TeamWeight =
  | { readonly status: 'Default' }
  | { readonly status: 'Set'; readonly team: string; readonly weight: number };

export interface JobPoolDecisionContext {
  /** Kinds of the calendar entries the reservations name (missing or retired: absent). */
  readonly calendarEntryKinds: ReadonlyMap<string, CalendarEntryKind>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The definition as given (any shape) → a valid, normalised one, or a ValidationError naming the field. */
export const validateJobPool = (input: unknown): JobPoolDefinition => {
  if (!isObject(input)) throw new ValidationError('pool', 'pool must be an object.');
  const key = input.key;
  // The same keys a manifest's tasks may claim (job-manifest's POOL_KEY).
  if (typeof key !== 'string' || key.length > MAX_POOL_KEY_LENGTH || !POOL_KEY.test(key))
    throw new ValidationError(
      'pool.key',
      `pool.key must be a resource key as manifests claim it: lowercase words of letters and digits joined by '.', '-' or '_', with one optional ':' (e.g. db:payments), at most ${MAX_POOL_KEY_LENGTH} characters.`,
    );
  const slots = input.slots;
  if (
    typeof slots !== 'number' ||
    !Number.isInteger(slots) ||
    slots < 0 ||
    slots > MAX_POOL_CAPACITY
  )
    throw new ValidationError(
      'pool.slots',
      `pool.slots must be a whole number from 0 to ${MAX_POOL_CAPACITY}; got ${String(slots)}.`,
    );
  const reservations = input.highLoadReservations ?? [];
  if (!Array.isArray(reservations) || reservations.length > MAX_HIGH_LOAD_RESERVATIONS)
    throw new ValidationError(
      'pool.highLoadReservations',
      `pool.highLoadReservations must be a list of at most ${MAX_HIGH_LOAD_RESERVATIONS} reservations.`,
    );
  const seen = new Set<string>();
  const normalised = reservations.map((r: unknown, i): HighLoadReservation => {
    const path = `pool.highLoadReservations[${i}]`;
    if (!isObject(r)) throw new ValidationError(path, `${path} must be an object.`);
    const id = r.calendarEntryId;
    if (typeof id !== 'string' || id.trim() === '' || id.length > 200)
      throw new ValidationError(
        `${path}.calendarEntryId`,
        `${path}.calendarEntryId must name a calendar entry.`,
      );
    if (seen.has(id))
      throw new ValidationError(
        `${path}.calendarEntryId`,
        `${path}.calendarEntryId names ${id} a second time.`,
      );
    seen.add(id);
    const critical = r.criticalSlots;
    if (
      typeof critical !== 'number' ||
      !Number.isInteger(critical) ||
      critical < 1 ||
      critical > slots
    )
      throw new ValidationError(
        `${path}.criticalSlots`,
        `${path}.criticalSlots must be a whole number from 1 to the pool's slots (${slots}); got ${String(critical)}.`,
      );
    return { calendarEntryId: id, criticalSlots: critical };
  });
  const description = input.description;
  if (
    description !== undefined &&
    description !== '' &&
    (typeof description !== 'string' || description.length > 500)
  )
    throw new ValidationError(
      'pool.description',
      'pool.description must be at most 500 characters.',
    );
  return {
    key,
    slots,
    highLoadReservations: normalised.sort((a, b) =>
      a.calendarEntryId < b.calendarEntryId ? -1 : 1,
    ),
    ...(typeof description === 'string' && description !== '' ? { description } : {}),
  };
};

/** Key order is not meaning: a definition read back from jsonb compares equal to the one put. */
const samePool = (a: JobPoolDefinition, b: JobPoolDefinition): boolean =>
  canonicalJson(a) === canonicalJson(b);

export const decideJobPool = (
  command: PutJobPool,
  state: JobPool,
  context: JobPoolDecisionContext,
): JobPoolPut[] => {
  assertMetadata(command.metadata);
  const pool = validateJobPool(command.data.pool);
  pool.highLoadReservations.forEach((r, i) => {
    const field = `pool.highLoadReservations[${i}].calendarEntryId`;
    const kind = context.calendarEntryKinds.get(r.calendarEntryId);
    if (kind === undefined)
      throw new ValidationError(
        field,
        `${field} names ${r.calendarEntryId}, which is not a calendar entry in force.`,
      );
    if (kind !== HIGH_LOAD_ENTRY_KIND)
      throw new ValidationError(
        field,
        `${field} names a ${kind}; a high-load period is a ${HIGH_LOAD_ENTRY_KIND} entry (a business calendar such as month-end close).`,
      );
  });
  if (state.status === 'Defined' && samePool(state.pool, pool)) return [];
  return [
    {
      type: 'JobPoolPut',
      data: {
        pool,
        ...(state.status === 'Defined' ? { previousSlots: state.pool.slots } : {}),
        putBy: command.metadata.actor,
        putAt: command.metadata.now,
      },
    },
  ];
};

export const evolveJobPool = (_state: JobPool, event: JobPoolPut): JobPool => ({
  status: 'Defined',
  pool: event.data.pool,
});

export const jobPoolDecider = {
  decide: decideJobPool,
  evolve: evolveJobPool,
  initialState: (): JobPool => ({ status: 'Undefined' }),
} as const;

export const validateTeamWeight = (
  team: unknown,
  weight: unknown,
): { team: string; weight: number } => {
  if (typeof team !== 'string' || team.length > 100 || !TEAM_NAME.test(team))
    throw new ValidationError(
      'team',
      'team must be a team name of lowercase letters, digits and hyphens.',
    );
  if (
    typeof weight !== 'number' ||
    !Number.isFinite(weight) ||
    weight < MIN_TEAM_WEIGHT ||
    weight > MAX_TEAM_WEIGHT
  )
    throw new ValidationError(
      'weight',
      `weight must be a number from ${MIN_TEAM_WEIGHT} to ${MAX_TEAM_WEIGHT}; got ${String(weight)}.`,
    );
  return { team, weight: Math.round(weight * 100) / 100 };
};

export const decideTeamWeight = (command: SetTeamWeight, state: TeamWeight): TeamWeightSet[] => {
  assertMetadata(command.metadata);
  const { team, weight } = validateTeamWeight(command.data.team, command.data.weight);
  if (state.status === 'Set' && state.weight === weight) return [];
  return [
    {
      type: 'TeamWeightSet',
      data: {
        team,
        weight,
        ...(state.status === 'Set' ? { previousWeight: state.weight } : {}),
        setBy: command.metadata.actor,
        setAt: command.metadata.now,
      },
    },
  ];
};

export const teamWeightDecider = {
  decide: decideTeamWeight,
  evolve: (_state: TeamWeight, event: TeamWeightSet): TeamWeight => ({
    status: 'Set',
    team: event.data.team,
    weight: event.data.weight,
  }),
  initialState: (): TeamWeight => ({ status: 'Default' }),
} as const;

export const jobPoolStream = (key: string): string => `job-pool-${key}`;
export const teamWeightStream = (team: string): string => `team-weight-${team}`;
