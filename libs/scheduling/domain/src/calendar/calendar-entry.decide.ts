import {
  AlreadyExistsError,
  assertMetadata,
  assertNonEmpty,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type { CalendarEntryDefinition } from './calendar-entry';
import type {
  CalendarEntryCommand,
  DefineCalendarEntry,
  RetireCalendarEntry,
  ReviseCalendarEntry,
} from './calendar-entry.commands';
import type { CalendarEntryEvent } from './calendar-entry.events';
import type { CalendarEntry } from './calendar-entry.state';
import { validateCalendarEntryDefinition } from './calendar-entry.validation';

/** Rule ids (stable API). */
export const CALENDAR_ENTRY_RETIRED_RULE = 'calendar-entry-retired';
export const CALENDAR_ENTRY_KIND_FIXED_RULE = 'calendar-entry-kind-fixed';
export const CALENDAR_HOLIDAY_REF_RULE = 'calendar-entry-holiday-ref-known';

export interface CalendarEntryDecisionContext {
  /**
   * Kinds of the entries the definition may reference (from the read model); when given, every
   * `holidayRefs` id must name a holiday entry in it.
   */
  readonly knownEntryKinds?: ReadonlyMap<string, CalendarEntryDefinition['kind']>;
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );

/** Same definition, key order and absent-versus-undefined aside: a retry decides nothing. */
export const sameDefinition = (a: CalendarEntryDefinition, b: CalendarEntryDefinition): boolean =>
  canonical(a) === canonical(b);

const checkDefinition = (
  definition: CalendarEntryDefinition,
  context: CalendarEntryDecisionContext,
): void => {
  validateCalendarEntryDefinition(definition);
  const kinds = context.knownEntryKinds;
  if (!kinds) return;
  for (const ref of definition.holidayRefs ?? [])
    if (kinds.get(ref) !== 'holiday')
      throw new RuleViolation(
        CALENDAR_HOLIDAY_REF_RULE,
        `holidayRefs names ${ref}, which is not a defined holiday entry.`,
      );
};

export const defineCalendarEntry = (
  command: DefineCalendarEntry,
  state: CalendarEntry,
  context: CalendarEntryDecisionContext,
): CalendarEntryEvent[] => {
  assertMetadata(command.metadata);
  const { definition } = command.data;
  checkDefinition(definition, context);
  if (state.status !== 'Undefined') {
    if (
      state.status === 'Active' &&
      state.sequence === 0 &&
      sameDefinition(state.definition, definition)
    )
      return [];
    throw new AlreadyExistsError('calendar entry', definition.id);
  }
  return [
    {
      type: 'CalendarEntryDefined',
      data: {
        definition,
        sequence: 0,
        definedBy: command.metadata.actor,
        definedAt: command.metadata.now,
      },
    },
  ];
};

export const reviseCalendarEntry = (
  command: ReviseCalendarEntry,
  state: CalendarEntry,
  context: CalendarEntryDecisionContext,
): CalendarEntryEvent[] => {
  assertMetadata(command.metadata);
  const { definition } = command.data;
  checkDefinition(definition, context);
  if (state.status === 'Undefined') throw new NotFoundError('calendar entry', definition.id);
  if (state.definition.id !== definition.id)
    throw new ValidationError(
      'definition.id',
      `definition.id ${definition.id} does not name calendar entry ${state.definition.id}.`,
    );
  if (state.status === 'Retired')
    throw new RuleViolation(
      CALENDAR_ENTRY_RETIRED_RULE,
      `Calendar entry ${definition.id} is retired and can no longer be revised.`,
    );
  if (state.definition.kind !== definition.kind)
    throw new RuleViolation(
      CALENDAR_ENTRY_KIND_FIXED_RULE,
      `Calendar entry ${definition.id} is a ${state.definition.kind} and cannot become a ${definition.kind}.`,
    );
  if (sameDefinition(state.definition, definition)) return [];
  return [
    {
      type: 'CalendarEntryRevised',
      data: {
        definition,
        sequence: state.sequence + 1,
        revisedBy: command.metadata.actor,
        revisedAt: command.metadata.now,
        ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
      },
    },
  ];
};

export const retireCalendarEntry = (
  command: RetireCalendarEntry,
  state: CalendarEntry,
): CalendarEntryEvent[] => {
  assertMetadata(command.metadata);
  assertNonEmpty('entryId', command.data.entryId);
  const reason = assertNonEmpty('reason', command.metadata.reason);
  if (state.status === 'Undefined') throw new NotFoundError('calendar entry', command.data.entryId);
  if (state.definition.id !== command.data.entryId)
    throw new ValidationError(
      'entryId',
      `entryId ${command.data.entryId} does not name calendar entry ${state.definition.id}.`,
    );
  if (state.status === 'Retired') return [];
  return [
    {
      type: 'CalendarEntryRetired',
      data: {
        entryId: state.definition.id,
        kind: state.definition.kind,
        sequence: state.sequence + 1,
        reason,
        retiredBy: command.metadata.actor,
        retiredAt: command.metadata.now,
      },
    },
  ];
};

export const decideCalendarEntry = (
  command: CalendarEntryCommand,
  state: CalendarEntry,
  context: CalendarEntryDecisionContext = {},
): readonly CalendarEntryEvent[] => {
  switch (command.type) {
    case 'DefineCalendarEntry':
      return defineCalendarEntry(command, state, context);
    case 'ReviseCalendarEntry':
      return reviseCalendarEntry(command, state, context);
    case 'RetireCalendarEntry':
      return retireCalendarEntry(command, state);
    default: {
      const unknown: never = command;
      throw new ValidationError(
        'type',
        `Command ${(unknown as { type: string }).type} is not known.`,
      );
    }
  }
};
