import { assertNonEmpty, ValidationError, validateAll, validateEach } from '@trainyard/kernel';
import { GAP_POLICIES, OVERLAP_POLICIES, type DstPolicy } from '../time/dst-policy';
import { ZoneResolver } from '../time/zone-resolver';
import {
  CALENDAR_ENTRY_KINDS,
  type CalendarEntryDefinition,
  type CalendarScope,
} from './calendar-entry';
import {
  MAX_CALENDAR_LIST,
  describe,
  parseLocalDateTime,
  parseRecurrenceRule,
  parseWallDuration,
  type LocalDateTime,
  type WallDuration,
} from './calendar-values';

const MAX_TEXT = 200;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ENTRY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

type Check = () => unknown;

const assertText = (field: string, value: unknown): void => {
  assertNonEmpty(field, value);
  if ((value as string).length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(value as string))
    throw new ValidationError(
      field,
      `${field} must be at most ${MAX_TEXT} characters without control characters.`,
    );
  if (LONE_SURROGATE.test(value as string))
    throw new ValidationError(field, `${field} must be well-formed Unicode text.`);
};

/** A bounded list, each element checked by `each` (every bad element reported). */
const assertList = (
  field: string,
  value: unknown,
  what: string,
  each: (field: string, element: unknown) => unknown,
): void => {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length > MAX_CALENDAR_LIST)
    throw new ValidationError(
      field,
      `${field} must be a list of at most ${MAX_CALENDAR_LIST} ${what}.`,
    );
  validateEach(field, value as unknown[], (element, path) => each(path, element));
};

const assertNames = (field: string, value: unknown): void =>
  assertList(field, value, 'names', assertText);

const SCOPE_DIMENSIONS = ['trains', 'teams', 'environments', 'components'] as const;

export const validateCalendarScope = (field: string, scope: unknown): CalendarScope => {
  if (scope === null || typeof scope !== 'object' || Array.isArray(scope))
    throw new ValidationError(field, `${field} must be an object of name lists.`);
  validateAll(
    ...SCOPE_DIMENSIONS.map(
      (dimension) => () =>
        assertNames(`${field}.${dimension}`, (scope as Record<string, unknown>)[dimension]),
    ),
  );
  return scope;
};

export const validateDstPolicy = (field: string, policy: unknown): DstPolicy => {
  const { gap, overlap } = (policy ?? {}) as { gap?: unknown; overlap?: unknown };
  validateAll(
    () => {
      if (!(GAP_POLICIES as readonly unknown[]).includes(gap))
        throw new ValidationError(
          `${field}.gap`,
          `${field}.gap must be one of ${GAP_POLICIES.join(', ')}; got ${describe(gap)}.`,
        );
    },
    () => {
      if (!(OVERLAP_POLICIES as readonly unknown[]).includes(overlap))
        throw new ValidationError(
          `${field}.overlap`,
          `${field}.overlap must be one of ${OVERLAP_POLICIES.join(', ')}; got ${describe(overlap)}.`,
        );
    },
  );
  return policy as DstPolicy;
};

const recurrenceChecks = (recurrence: unknown): Check[] => {
  if (recurrence === undefined) return [];
  if (recurrence === null || typeof recurrence !== 'object')
    return [
      () => {
        throw new ValidationError('recurrence', 'recurrence must be an object with a rule.');
      },
    ];
  const r = recurrence as Record<string, unknown>;
  return [
    () => parseRecurrenceRule('recurrence.rule', r.rule),
    ...(['exceptions', 'additions'] as const).map(
      (list) => () =>
        assertList(`recurrence.${list}`, r[list], 'local date-times', parseLocalDateTime),
    ),
  ];
};

/**
 * Checks a definition as its owner wrote it; every invalid field is reported at once, in one
 * `ValidationError` (kernel `validateAll`): the zone is IANA, the start a real local wall time,
 * the duration positive, the RRULE parses and is bounded, EXDATE/RDATE are local wall times, and
 * the kind's own rules hold (a maintenance window names at least one component; a holiday covers
 * whole local days; only freezes and deployment windows reference holidays).
 */
export const validateCalendarEntryDefinition = (definition: CalendarEntryDefinition): void => {
  if (definition === null || typeof definition !== 'object')
    throw new ValidationError('definition', 'definition is required.');
  let start: LocalDateTime | undefined;
  let duration: WallDuration | undefined;
  validateAll(
    () => {
      assertText('id', definition.id);
      if (!ENTRY_ID.test(definition.id))
        throw new ValidationError(
          'id',
          'id must start with a letter or digit and hold only letters, digits, dots, colons, hyphens and underscores.',
        );
    },
    () => {
      if (!CALENDAR_ENTRY_KINDS.includes(definition.kind))
        throw new ValidationError(
          'kind',
          `kind must be one of ${CALENDAR_ENTRY_KINDS.join(', ')}; got ${describe(definition.kind)}.`,
        );
    },
    () => assertText('name', definition.name),
    () => ZoneResolver.for(definition.zone, 'zone'),
    () => (start = parseLocalDateTime('start', definition.start)),
    () => (duration = parseWallDuration('duration', definition.duration)),
    ...recurrenceChecks(definition.recurrence),
    () => validateDstPolicy('dstPolicy', definition.dstPolicy),
    () => validateCalendarScope('scope', definition.scope),
    () => assertNames('holidayRefs', definition.holidayRefs),
    () => {
      if (
        definition.teamWorkingHoursOnly !== undefined &&
        typeof definition.teamWorkingHoursOnly !== 'boolean'
      )
        throw new ValidationError(
          'teamWorkingHoursOnly',
          'teamWorkingHoursOnly must be true or false.',
        );
    },
    // After the checks above, so they can use what parsed; each skips what is already reported.
    ...kindRuleChecks(
      definition,
      () => start,
      () => duration,
    ),
  );
};

const listOf = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

const kindRuleChecks = (
  definition: CalendarEntryDefinition,
  start: () => LocalDateTime | undefined,
  duration: () => WallDuration | undefined,
): Check[] => {
  const refs = listOf(definition.holidayRefs);
  const checks: Check[] = [
    () => {
      if (
        refs.length > 0 &&
        definition.kind !== 'freeze' &&
        definition.kind !== 'deployment-window'
      )
        throw new ValidationError(
          'holidayRefs',
          'holidayRefs may only be given for a freeze or a deployment window.',
        );
      if (refs.includes(definition.id))
        throw new ValidationError('holidayRefs', 'holidayRefs must not name the entry itself.');
    },
  ];
  switch (definition.kind) {
    case 'maintenance-window':
      return [...checks, () => assertMaintenanceComponents(definition.scope)];
    case 'holiday':
      return [...checks, ...holidayChecks(definition, start, duration)];
    default:
      // Deployment windows and freezes have no rules of their own; an unknown kind is reported.
      return checks;
  }
};

const assertMaintenanceComponents = (scope: unknown): void => {
  const components =
    scope !== null && typeof scope === 'object' ? (scope as CalendarScope).components : undefined;
  if (listOf(components).length === 0)
    throw new ValidationError(
      'scope.components',
      'scope.components must name at least one component for a maintenance window.',
    );
};

const holidayChecks = (
  definition: CalendarEntryDefinition,
  start: () => LocalDateTime | undefined,
  duration: () => WallDuration | undefined,
): Check[] => {
  const recurrence = (definition.recurrence ?? {}) as Partial<Record<string, unknown>>;
  return [
    () => {
      if ((start()?.minuteOfDay ?? 0) !== 0)
        throw new ValidationError(
          'start',
          'start must be at 00:00 for a holiday: a holiday covers whole local days.',
        );
    },
    () => {
      if ((duration()?.timeMs ?? 0) !== 0)
        throw new ValidationError(
          'duration',
          'duration must be whole days (such as P1D) for a holiday.',
        );
    },
    () => {
      if (
        typeof recurrence.rule === 'string' &&
        /BY(HOUR|MINUTE)=|FREQ=HOURLY/i.test(recurrence.rule)
      )
        throw new ValidationError(
          'recurrence.rule',
          'recurrence.rule must not recur within a day for a holiday.',
        );
    },
    ...listOf(recurrence.additions).map((a, i) => () => {
      if (typeof a === 'string' && /T\d\d:\d\d$/.test(a) && !a.endsWith('T00:00'))
        throw new ValidationError(
          `recurrence.additions[${i}]`,
          `recurrence.additions[${i}] must be at 00:00 for a holiday.`,
        );
    }),
  ];
};
