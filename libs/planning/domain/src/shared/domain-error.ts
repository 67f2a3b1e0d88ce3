import { DomainError as KernelDomainError } from '@trainyard/kernel';

// The planning domain's refusals, on the kernel's one error base, so the platform's error filter
// maps them like any service's: validation → INVALID_ARGUMENT, not_found → NOT_FOUND,
// already_exists → ALREADY_EXISTS, rule_violation → FAILED_PRECONDITION. Their messages are used
// as written (the kernel's own classes prefix the field or rule). Concurrency conflicts (ABORTED)
// come from the event store, never from a decider.
export type DomainErrorKind = 'validation' | 'not_found' | 'already_exists' | 'rule_violation';

export abstract class DomainError extends KernelDomainError {
  abstract override readonly kind: DomainErrorKind;

  protected constructor(message: string) {
    super(message);
  }
}

/** The command is malformed; `field` is the dotted path of the offending input. */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

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

/** The command is well-formed but a business rule refuses it; `rule` names the rule. */
export class RuleViolationError extends DomainError {
  readonly kind = 'rule_violation' as const;

  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the command would create exists already (gRPC ALREADY_EXISTS), e.g. a second registration. */
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

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
