/**
 * The one base class of business-rule errors. Deciders throw its subclasses; one gRPC exception
 * filter and one HTTP filter map `kind` to a status, so domain code never knows about transports.
 */
export type DomainErrorKind =
  | 'validation'
  | 'not_found'
  | 'already_exists'
  | 'rule_violation'
  | 'conflict';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(message?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that can never be valid: names the offending field (→ INVALID_ARGUMENT / 400). */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The addressed thing does not exist (→ NOT_FOUND / 404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
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

/** Valid input refused by a business rule in the current state: names the rule (→ FAILED_PRECONDITION / 409). */
export class RuleViolation extends DomainError {
  readonly kind = 'rule_violation' as const;
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(`${rule}: ${message}`);
  }
}

/** Someone else changed the state first; reload and retry (→ ABORTED / 409). */
export class ConcurrencyConflict extends DomainError {
  readonly kind = 'conflict' as const;
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
