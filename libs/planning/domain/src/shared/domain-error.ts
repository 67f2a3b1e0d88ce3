import { DomainError as KernelDomainError } from '@trainyard/kernel';

// The planning domain's refusals, on the kernel's one error base, so the platform's error filter
// maps them like any service's: validation → INVALID_ARGUMENT, not_found → NOT_FOUND,
// already_exists → ALREADY_EXISTS, rule_violation → FAILED_PRECONDITION. Their messages are used
// as written (the kernel's ValidationError and RuleViolation prefix the field or rule). Concurrency conflicts (ABORTED)
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

// What does not or already exists: the kernel's classes (their messages name entity and id).
export { AlreadyExistsError, NotFoundError } from '@trainyard/kernel';

/** Any refusal on the kernel's base: the planning classes here and the kernel's own. */
export { isDomainError } from '@trainyard/kernel';
