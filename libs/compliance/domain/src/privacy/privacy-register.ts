import {
  AlreadyExistsError,
  NotFoundError,
  RuleViolation,
  ValidationError,
  assertMetadata,
  type Command,
  type Decider,
  type DomainEvent,
} from '@trainyard/kernel';
import {
  assertHoldId,
  describeScope,
  holdCovers,
  type LegalHold,
  type LegalHoldScope,
  type RecordFootprint,
} from './legal-hold';
import {
  recordRetentionSweep,
  type RecordRetentionSweep,
  type RetentionEvent,
} from './retention-sweep';

/**
 * The privacy register (issue 13 item 6): legal holds and data-subject erasures decided on one
 * stream, so an erasure and a hold placed at the same moment cannot both win (optimistic
 * concurrency on the stream serialises them). Erasure tombstones hold no personal data: the
 * subject's pseudonymous id, who, when and why.
 */
export const PRIVACY_REGISTER_STREAM = 'privacy-register';
export const LEGAL_HOLD_RULE = 'privacy.legal-hold';

export type PlaceLegalHold = Command<
  'PlaceLegalHold',
  { readonly holdId: string; readonly scope: LegalHoldScope }
>;
export type ReleaseLegalHold = Command<'ReleaseLegalHold', { readonly holdId: string }>;
export type EraseSubject = Command<'EraseSubject', { readonly subjectId: string }>;
export type PrivacyCommand =
  PlaceLegalHold | ReleaseLegalHold | EraseSubject | RecordRetentionSweep;

export type LegalHoldPlaced = DomainEvent<
  'LegalHoldPlaced',
  {
    readonly holdId: string;
    readonly scope: LegalHoldScope;
    readonly reason: string;
    readonly placedBy: string;
    readonly placedAt: string;
  }
>;
export type LegalHoldReleased = DomainEvent<
  'LegalHoldReleased',
  {
    readonly holdId: string;
    readonly reason: string;
    readonly releasedBy: string;
    readonly releasedAt: string;
  }
>;
export type DataSubjectErased = DomainEvent<
  'DataSubjectErased',
  {
    readonly subjectId: string;
    readonly reason: string;
    readonly erasedBy: string;
    readonly erasedAt: string;
    /** Records known (to the ledger) to carry the subject's sealed data when it was erased. */
    readonly recordsAffected: number;
  }
>;
/** Retention sweeps share the stream: their append collides with a hold placed meanwhile. */
export type PrivacyEvent = LegalHoldPlaced | LegalHoldReleased | DataSubjectErased | RetentionEvent;
export const PRIVACY_EVENT_TYPES: readonly PrivacyEvent['type'][] = [
  'LegalHoldPlaced',
  'LegalHoldReleased',
  'DataSubjectErased',
  'RecordsPurged',
  'RecordsArchived',
];

export interface ErasedSubject {
  readonly subjectId: string;
  readonly erasedAt: string;
  readonly erasedBy: string;
  readonly reason: string;
}

export interface PrivacyRegister {
  readonly status: 'Active';
  readonly holds: readonly LegalHold[];
  readonly erased: readonly ErasedSubject[];
}

/** For EraseSubject: the records that carry the subject's sealed data (from the ledger). */
export interface PrivacyDecisionContext {
  readonly footprint: readonly RecordFootprint[];
}

export const initialPrivacyRegister = (): PrivacyRegister => ({
  status: 'Active',
  holds: [],
  erased: [],
});

const reasonOf = (command: PrivacyCommand): string => {
  const reason = command.metadata.reason?.trim() ?? '';
  if (!reason) throw new ValidationError('reason', 'reason is required');
  return reason;
};

const sameScope = (a: LegalHoldScope, b: LegalHoldScope): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

export const placeLegalHold = (command: PlaceLegalHold, state: PrivacyRegister): PrivacyEvent[] => {
  assertMetadata(command.metadata);
  const holdId = assertHoldId('holdId', command.data.holdId);
  const reason = reasonOf(command);
  const existing = state.holds.find((h) => h.holdId === holdId);
  if (existing) {
    if (sameScope(existing.scope, command.data.scope) && existing.releasedAt === undefined)
      return [];
    throw new AlreadyExistsError(
      'legal hold',
      holdId,
      `legal hold ${holdId} already exists (${describeScope(existing.scope)})`,
    );
  }
  return [
    {
      type: 'LegalHoldPlaced',
      data: {
        holdId,
        scope: command.data.scope,
        reason,
        placedBy: command.metadata.actor,
        placedAt: command.metadata.now,
      },
    },
  ];
};

export const releaseLegalHold = (
  command: ReleaseLegalHold,
  state: PrivacyRegister,
): PrivacyEvent[] => {
  assertMetadata(command.metadata);
  const holdId = assertHoldId('holdId', command.data.holdId);
  const reason = reasonOf(command);
  const existing = state.holds.find((h) => h.holdId === holdId);
  if (!existing)
    throw new NotFoundError('legal hold', holdId, `legal hold ${holdId} does not exist`);
  if (existing.releasedAt !== undefined) return [];
  return [
    {
      type: 'LegalHoldReleased',
      data: {
        holdId,
        reason,
        releasedBy: command.metadata.actor,
        releasedAt: command.metadata.now,
      },
    },
  ];
};

export const eraseSubject = (
  command: EraseSubject,
  state: PrivacyRegister,
  context: PrivacyDecisionContext,
): PrivacyEvent[] => {
  assertMetadata(command.metadata);
  const subjectId = assertHoldId('subjectId', command.data.subjectId);
  const reason = reasonOf(command);
  if (state.erased.some((e) => e.subjectId === subjectId)) return [];
  const asPerson: RecordFootprint = {
    recordedAt: command.metadata.now,
    workloadIds: [],
    releaseIds: [],
    subjectIds: [subjectId],
  };
  const held = state.holds.filter(
    (hold) =>
      (hold.scope.kind !== 'time-range' && holdCovers(hold, asPerson)) ||
      context.footprint.some((record) => holdCovers(hold, record)),
  );
  if (held.length > 0)
    throw new RuleViolation(
      LEGAL_HOLD_RULE,
      `data subject ${subjectId} cannot be erased while legal hold ${held
        .map((h) => `${h.holdId} (${describeScope(h.scope)})`)
        .join(', ')} covers their data`,
    );
  return [
    {
      type: 'DataSubjectErased',
      data: {
        subjectId,
        reason,
        erasedBy: command.metadata.actor,
        erasedAt: command.metadata.now,
        recordsAffected: context.footprint.length,
      },
    },
  ];
};

export const decidePrivacy = (
  command: PrivacyCommand,
  state: PrivacyRegister,
  context: PrivacyDecisionContext,
): PrivacyEvent[] => {
  switch (command.type) {
    case 'PlaceLegalHold':
      return placeLegalHold(command, state);
    case 'ReleaseLegalHold':
      return releaseLegalHold(command, state);
    case 'EraseSubject':
      return eraseSubject(command, state, context);
    case 'RecordRetentionSweep':
      return recordRetentionSweep(
        command,
        state.holds.filter((h) => h.releasedAt === undefined),
      );
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
};

export const evolvePrivacy = (state: PrivacyRegister, event: PrivacyEvent): PrivacyRegister => {
  switch (event.type) {
    case 'LegalHoldPlaced':
      return { ...state, holds: [...state.holds, { ...event.data }] };
    case 'LegalHoldReleased':
      return {
        ...state,
        holds: state.holds.map((h) =>
          h.holdId === event.data.holdId
            ? { ...h, releasedAt: event.data.releasedAt, releasedBy: event.data.releasedBy }
            : h,
        ),
      };
    case 'DataSubjectErased':
      return {
        ...state,
        erased: [
          ...state.erased,
          {
            subjectId: event.data.subjectId,
            erasedAt: event.data.erasedAt,
            erasedBy: event.data.erasedBy,
            reason: event.data.reason,
          },
        ],
      };
    default:
      return state;
  }
};

export const privacyDecider: Decider<
  PrivacyRegister,
  PrivacyCommand,
  PrivacyEvent,
  PrivacyDecisionContext
> = {
  decide: decidePrivacy,
  evolve: evolvePrivacy,
  initialState: initialPrivacyRegister,
};
