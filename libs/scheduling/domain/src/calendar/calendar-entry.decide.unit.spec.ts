import {
  AlreadyExistsError,
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { calendarEntryDecider } from './calendar-entry.decider';
import type { CalendarEntryCommand } from './calendar-entry.commands';
import type { CalendarEntryEvent } from './calendar-entry.events';
import type { CalendarEntryDefinition } from './calendar-entry';
import { calendarEntry } from '../test-support/calendar.fixtures';

const given = DeciderSpecification.for(calendarEntryDecider, {});
const metadata = { now: '2031-05-04T09:00:00.000Z', actor: 'alice', reason: 'quarter close' };
const window = calendarEntry();
const revisedWindow = calendarEntry({ duration: 'PT2H' });

const define = (definition: CalendarEntryDefinition = window): CalendarEntryCommand => ({
  type: 'DefineCalendarEntry',
  data: { definition },
  metadata,
});
const revise = (definition: CalendarEntryDefinition = revisedWindow): CalendarEntryCommand => ({
  type: 'ReviseCalendarEntry',
  data: { definition },
  metadata,
});
const retire = (
  entryId = window.id,
  reason: string | undefined = 'not needed',
): CalendarEntryCommand => ({
  type: 'RetireCalendarEntry',
  data: { entryId },
  metadata: { ...metadata, reason },
});
const defined: CalendarEntryEvent = {
  type: 'CalendarEntryDefined',
  data: { definition: window, sequence: 0, definedBy: 'alice', definedAt: metadata.now },
};
const revised: CalendarEntryEvent = {
  type: 'CalendarEntryRevised',
  data: {
    definition: revisedWindow,
    sequence: 1,
    revisedBy: 'alice',
    revisedAt: metadata.now,
    reason: 'quarter close',
  },
};
const retired: CalendarEntryEvent = {
  type: 'CalendarEntryRetired',
  data: {
    entryId: window.id,
    kind: window.kind,
    sequence: 2,
    reason: 'not needed',
    retiredBy: 'alice',
    retiredAt: metadata.now,
  },
};

describe('an undefined calendar entry', () => {
  it('is defined with sequence 0', () => {
    given([]).when(define()).then([defined]);
  });

  it('refuses an invalid definition, naming the field', () => {
    given([])
      .when(define(calendarEntry({ zone: 'Mars/Olympus' })))
      .thenThrows(ValidationError, { field: 'zone' });
  });

  it('cannot be revised or retired', () => {
    given([]).when(revise()).thenThrows(NotFoundError);
    given([]).when(retire()).thenThrows(NotFoundError);
  });

  it('refuses a holiday reference to an entry that is not a known holiday', () => {
    const freeze = calendarEntry({ kind: 'freeze', holidayRefs: ['team-days'] });
    given([])
      .when(define(freeze), { knownEntryKinds: new Map([['team-days', 'freeze']]) })
      .thenThrows(RuleViolation, { rule: 'calendar-entry-holiday-ref-known' });
  });
});

describe('an active calendar entry', () => {
  it('takes the same definition again as a retry and refuses a different one', () => {
    given([defined]).when(define()).thenNothingHappened();
    given([defined]).when(define(revisedWindow)).thenThrows(AlreadyExistsError);
  });

  it('is revised with the sequence bumped, and an unchanged revision decides nothing', () => {
    given([defined]).when(revise()).then([revised]);
    given([defined, revised]).when(revise()).thenNothingHappened();
  });

  it('keeps its kind', () => {
    given([defined])
      .when(revise(calendarEntry({ kind: 'freeze' })))
      .thenThrows(RuleViolation, { rule: 'calendar-entry-kind-fixed' });
  });

  it('refuses a revision addressed to another id', () => {
    given([defined])
      .when(revise(calendarEntry({ id: 'other' })))
      .thenThrows(ValidationError, { field: 'definition.id' });
  });

  it('is retired with a reason and the sequence bumped', () => {
    given([defined, revised]).when(retire()).then([retired]);
    given([defined])
      .when({
        type: 'RetireCalendarEntry',
        data: { entryId: window.id },
        metadata: { now: metadata.now, actor: 'alice' },
      })
      .thenThrows(ValidationError, { field: 'reason' });
  });
});

describe('a retired calendar entry', () => {
  it('is not retired twice and cannot be revised', () => {
    given([defined, revised, retired]).when(retire()).thenNothingHappened();
    given([defined, revised, retired])
      .when(revise(calendarEntry({ duration: 'PT3H' })))
      .thenThrows(RuleViolation, { rule: 'calendar-entry-retired' });
  });
});
