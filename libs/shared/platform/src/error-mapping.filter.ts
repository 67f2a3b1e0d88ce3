import {
  Catch,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { GRPC_STATUS_DETAILS_TRAILER, encodeRpcStatus } from '@trainyard/grpc-contracts';
import {
  isDomainError,
  wellFormedText,
  type DomainError,
  type FieldViolation,
} from '@trainyard/kernel';
import { asciiTrailerValue, grpcFieldName } from './grpc-field-name';
import { MalformedJsonBody, malformedJsonOf } from './errors/malformed-json';
import type { MappedError } from './errors/mapped-error';
import { PROBLEM_JSON, problemOf } from './errors/problem-details';
import { rpcStatusOf } from './errors/rpc-status-details';

type DomainMapping = readonly [GrpcStatus, number, reason: string, slug: string, title: string];

const DOMAIN: Record<DomainError['kind'], DomainMapping> = {
  validation: [
    GrpcStatus.INVALID_ARGUMENT,
    HttpStatus.BAD_REQUEST,
    'INVALID_FIELD',
    'validation-error',
    'Invalid request',
  ],
  not_found: [GrpcStatus.NOT_FOUND, HttpStatus.NOT_FOUND, 'NOT_FOUND', 'not-found', 'Not found'],
  already_exists: [
    GrpcStatus.ALREADY_EXISTS,
    HttpStatus.CONFLICT,
    'ALREADY_EXISTS',
    'already-exists',
    'Already exists',
  ],
  rule_violation: [
    GrpcStatus.FAILED_PRECONDITION,
    HttpStatus.CONFLICT,
    'RULE_VIOLATION',
    'rule-violation',
    'Business rule violated',
  ],
  resource_exhausted: [
    GrpcStatus.RESOURCE_EXHAUSTED,
    HttpStatus.TOO_MANY_REQUESTS,
    'RESOURCE_EXHAUSTED',
    'resource-exhausted',
    'Too many requests',
  ],
  conflict: [
    GrpcStatus.ABORTED,
    HttpStatus.CONFLICT,
    'CONCURRENCY_CONFLICT',
    'concurrency-conflict',
    'Concurrent change',
  ],
};

const HTTP_TO_GRPC: Record<number, GrpcStatus> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  409: GrpcStatus.ABORTED,
  412: GrpcStatus.FAILED_PRECONDITION,
  415: GrpcStatus.INVALID_ARGUMENT,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  503: GrpcStatus.UNAVAILABLE,
};

/**
 * The 4xx status of an `http-errors` error meant for the client (`expose`), as the body parsers
 * throw before any route runs (a body over the size limit: 413; JSON that does not parse: 400).
 * Without this a too-large request body answered 500.
 */
const exposedClientErrorStatus = (exception: unknown): number | undefined => {
  if (!(exception instanceof Error)) return undefined;
  const { status, expose } = exception as Error & { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500
    ? status
    : undefined;
};

/**
 * The one place errors become statuses, for gRPC and HTTP alike: domain errors by kind, the event
 * store's concurrency conflict as ABORTED/409, anything unexpected as INTERNAL/500 with the cause
 * logged and not leaked. gRPC answers carry the `trainyard-field`/`trainyard-rule` trailers and a
 * `google.rpc.Status` in `grpc-status-details-bin`; HTTP answers are RFC 9457 problem+json.
 */
@Catch()
export class ErrorMappingFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') {
      const mapped =
        exception instanceof RpcException ? this.mapRpcException(exception) : this.map(exception);
      const metadata = new Metadata();
      if (mapped.field !== undefined)
        metadata.set('trainyard-field', asciiTrailerValue(grpcFieldName(mapped.field)));
      if (mapped.rule !== undefined) metadata.set('trainyard-rule', asciiTrailerValue(mapped.rule));
      if (mapped.grpc !== GrpcStatus.INTERNAL)
        metadata.set(GRPC_STATUS_DETAILS_TRAILER, encodeRpcStatus(rpcStatusOf(mapped)));
      return throwError(() => ({ code: mapped.grpc, message: mapped.message, metadata }));
    }
    const mapped = this.map(exception);
    const { httpAdapter } = this.adapterHost;
    const http = host.switchToHttp();
    const response = http.getResponse<unknown>();
    const instance =
      String(httpAdapter.getRequestUrl(http.getRequest<unknown>()) ?? '').split('?')[0] ?? '';
    httpAdapter.setHeader(response, 'content-type', PROBLEM_JSON);
    if (mapped.retryAfterSeconds !== undefined)
      httpAdapter.setHeader(response, 'retry-after', String(mapped.retryAfterSeconds));
    // Serialized here: the adapter would reset the content type of an object body to application/json.
    httpAdapter.reply(response, JSON.stringify(problemOf(mapped, instance)), mapped.http);
  }

  private map(exception: unknown): MappedError {
    if (isDomainError(exception)) {
      const [grpc, http, reason, slug, title] = DOMAIN[exception.kind];
      const rule =
        'rule' in exception && typeof exception.rule === 'string' ? exception.rule : undefined;
      const field =
        'field' in exception && typeof exception.field === 'string' ? exception.field : undefined;
      // Messages may quote input (a CEL parser names the character it stopped at, half a
      // surrogate pair included): sent well-formed, or grpc-js would throw sending the status.
      const violations =
        'violations' in exception && Array.isArray(exception.violations)
          ? (exception.violations as readonly FieldViolation[]).map((v) => ({
              field: v.field,
              message: wellFormedText(v.message),
            }))
          : undefined;
      const resource =
        'entity' in exception &&
        'id' in exception &&
        typeof exception.entity === 'string' &&
        typeof exception.id === 'string'
          ? { type: exception.entity, name: exception.id }
          : undefined;
      const retryAfterSeconds =
        'retryAfterSeconds' in exception && typeof exception.retryAfterSeconds === 'number'
          ? Math.max(1, Math.ceil(exception.retryAfterSeconds))
          : undefined;
      return {
        grpc,
        http,
        message: wellFormedText(exception.message),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        reason: rule ?? reason,
        field,
        ...(violations !== undefined ? { violations } : {}),
        rule,
        resource,
        problem: { slug, title },
      };
    }
    if (exception instanceof HttpException) {
      const http = exception.getStatus();
      const grpc = HTTP_TO_GRPC[http] ?? (http >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN);
      return { grpc, http, reason: GrpcStatus[grpc] ?? 'UNKNOWN', message: exception.message };
    }
    if (exception instanceof MalformedJsonBody) return exception.mapped;
    const malformedJson = malformedJsonOf(exception);
    if (malformedJson) return malformedJson;
    const clientError = exposedClientErrorStatus(exception);
    if (clientError !== undefined) {
      const grpc = HTTP_TO_GRPC[clientError] ?? GrpcStatus.INVALID_ARGUMENT;
      return {
        grpc,
        http: clientError,
        reason: GrpcStatus[grpc] ?? 'UNKNOWN',
        message: (exception as Error).message,
      };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return {
      grpc: GrpcStatus.INTERNAL,
      http: HttpStatus.INTERNAL_SERVER_ERROR,
      reason: 'INTERNAL',
      message: 'internal error',
    };
  }

  /** Platform code (the auth guard) throws RpcException with a gRPC code and message of its own. */
  private mapRpcException(exception: RpcException): MappedError {
    const error = exception.getError();
    const { code, message } =
      typeof error === 'string'
        ? { code: undefined, message: error }
        : (error as { code?: unknown; message?: unknown });
    const grpc =
      typeof code === 'number' && code in GrpcStatus ? (code as GrpcStatus) : GrpcStatus.UNKNOWN;
    return {
      grpc,
      http: HttpStatus.INTERNAL_SERVER_ERROR,
      reason: GrpcStatus[grpc] ?? 'UNKNOWN',
      message: typeof message === 'string' ? message : exception.message,
    };
  }
}
