/**
 * The one error hierarchy of every service: one class per kind, plus a field or a rule id string.
 * Deciders and adapters throw these; the platform's error filter maps `kind` to a gRPC and an HTTP
 * status, so domain code never knows about transports (ADR 0006).
 *
 * Message convention: `message` is one complete sentence a person can read on its own, stated as
 * written, never prefixed by the class (`title is required`, `dependency cycle: A → B → A`). What
 * a program needs (the field, the rule id, the entity and id) travels beside it as a property,
 * never parsed out of the message.
 */
export type DomainErrorKind =
  | 'validation'
  | 'not_found'
  | 'already_exists'
  | 'rule_violation'
  | 'conflict'
  | 'resource_exhausted';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Input that can never be valid, whatever the state (→ INVALID_ARGUMENT / 400). `field` is the
 * dotted path of the offending input as the domain names it (`window.end`, `libraries[1].version`);
 * adapters translate it to their wire names.
 */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
  /**
   * Every invalid field found, `field` and the message first. One unless the validator looked at
   * the whole input (`ValidationError.of`); transports report them all (google.rpc.BadRequest,
   * the problem's `violations`), so a client fixes a request in one round trip.
   */
  readonly violations: readonly FieldViolation[];

  /** `violations`: leave it out (one violation) or use `ValidationError.of`. */
  constructor(
    readonly field: string,
    message: string,
    violations?: readonly FieldViolation[],
  ) {
    super(message);
    this.violations = violations ?? [{ field, message }];
  }

  /** One error for several invalid fields; the message lists them, the first is `field`. */
  static of(violations: readonly [FieldViolation, ...FieldViolation[]]): ValidationError {
    const [first, ...more] = violations;
    if (more.length === 0) return new ValidationError(first.field, first.message);
    return new ValidationError(
      first.field,
      `${violations.length} fields are invalid: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`,
      [...violations],
    );
  }
}

/** One invalid input field: its dotted path (as the domain names it) and what is wrong with it. */
export interface FieldViolation {
  readonly field: string;
  readonly message: string;
}

/**
 * Valid input refused by a business rule in the current state (→ FAILED_PRECONDITION / 409).
 * `rule` is the rule's stable id (`release-capacity`, `emergency-patch.approver`): clients and
 * tests branch on it; the message explains this instance.
 */
export class RuleViolation extends DomainError {
  readonly kind = 'rule_violation' as const;

  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** The addressed thing does not exist (→ NOT_FOUND / 404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;

  constructor(
    readonly entity: string,
    readonly id: string,
    message = `${entity} ${id} not found`,
  ) {
    super(message);
  }
}

/** What a command would create exists already (→ ALREADY_EXISTS / 409); not a retryable race. */
export class AlreadyExistsError extends DomainError {
  readonly kind = 'already_exists' as const;

  constructor(
    readonly entity: string,
    readonly id: string,
    message = `${entity} ${id} already exists`,
  ) {
    super(message);
  }
}

/**
 * Someone else changed the state first (→ ABORTED / 409): reload and decide again. The event
 * store's `WrongExpectedVersion` is one; a decider never throws it.
 */
export class ConcurrencyConflict extends DomainError {
  readonly kind = 'conflict' as const;

  constructor(message = 'the state changed concurrently; reload and retry') {
    super(message);
  }
}

/**
 * A bounded queue is full (→ RESOURCE_EXHAUSTED / 429): retry after `retryAfterSeconds`, which the
 * platform sends as a `google.rpc.RetryInfo` (gRPC) and a `Retry-After` header (HTTP). Admission
 * control answers this instead of queueing without bound (issue 12, item 4).
 */
export class ResourceExhausted extends DomainError {
  readonly kind = 'resource_exhausted' as const;

  constructor(
    /** What is exhausted, e.g. `job-queue:payments.ledger.close`. */
    readonly subject: string,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
