import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { DomainError, type DomainErrorKind } from '@trainyard/kernel';
import { isDomainError as isPlanningDomainError } from '@trainyard/planning-domain';

/**
 * A planning-domain refusal as the platform's kernel error, keeping the domain's message, field
 * and rule, so the platform's one error filter maps it (INVALID_ARGUMENT, FAILED_PRECONDITION …).
 * Needed while `@trainyard/planning-domain` has its own error base instead of the kernel's.
 */
export class PlanningRefusal extends DomainError {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly field?: string,
    readonly rule?: string,
  ) {
    super(message);
  }
}

const FIELD_ALIASES: Readonly<Record<string, string>> = {
  'metadata.reason': 'reason',
  'exception.reason': 'reason',
  'exception.approver': 'approver',
};

/** `components[0].kind`, `jobSize` → `components[0].kind`, `job_size`: the request's own field names. */
export const protoFieldName = (field: string): string =>
  FIELD_ALIASES[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const translateDomainError = (error: unknown, transport: 'rpc' | 'http'): unknown => {
  if (!isPlanningDomainError(error)) return error;
  const raw = error as { readonly field?: unknown; readonly rule?: unknown };
  const field =
    typeof raw.field === 'string'
      ? transport === 'rpc'
        ? protoFieldName(raw.field)
        : raw.field
      : undefined;
  const rule = typeof raw.rule === 'string' ? raw.rule : undefined;
  return new PlanningRefusal(error.kind, error.message, field, rule);
};

@Injectable()
export class DomainErrorTranslation implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const transport = context.getType() === 'rpc' ? 'rpc' : 'http';
    return next
      .handle()
      .pipe(
        catchError((error: unknown) => throwError(() => translateDomainError(error, transport))),
      );
  }
}
