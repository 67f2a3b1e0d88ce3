import { Catch, HttpException, HttpStatus, Inject, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { isDomainError, type DomainError } from '@trainyard/kernel';
import { grpcFieldName } from './grpc-field-name';

interface Mapped {
  readonly grpc: GrpcStatus;
  readonly http: number;
  readonly message: string;
  /** Machine-readable detail: the field or rule named by the error. */
  readonly detail?: Record<string, string>;
}

const DOMAIN: Record<DomainError['kind'], [GrpcStatus, number]> = {
  validation: [GrpcStatus.INVALID_ARGUMENT, HttpStatus.BAD_REQUEST],
  not_found: [GrpcStatus.NOT_FOUND, HttpStatus.NOT_FOUND],
  already_exists: [GrpcStatus.ALREADY_EXISTS, HttpStatus.CONFLICT],
  rule_violation: [GrpcStatus.FAILED_PRECONDITION, HttpStatus.CONFLICT],
  conflict: [GrpcStatus.ABORTED, HttpStatus.CONFLICT],
};

const HTTP_TO_GRPC: Record<number, GrpcStatus> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  409: GrpcStatus.ABORTED,
  412: GrpcStatus.FAILED_PRECONDITION,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  503: GrpcStatus.UNAVAILABLE,
};

/**
 * The one place errors become statuses, for gRPC and HTTP alike: domain errors by kind, the event
 * store's concurrency conflict as ABORTED/409, anything unexpected as INTERNAL/500 with the cause
 * logged and not leaked.
 */
@Catch()
export class ErrorMappingFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') {
      if (exception instanceof RpcException) return throwError(() => exception.getError());
      const mapped = this.map(exception);
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(mapped.detail ?? {})) metadata.set(`trainyard-${key}`, key === 'field' ? grpcFieldName(value) : value);
      return throwError(() => ({ code: mapped.grpc, message: mapped.message, metadata }));
    }
    const mapped = this.map(exception);
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    const body =
      exception instanceof HttpException && typeof exception.getResponse() === 'object'
        ? exception.getResponse()
        : { statusCode: mapped.http, error: HttpStatus[mapped.http] ?? 'Error', message: mapped.message, ...mapped.detail };
    httpAdapter.reply(response, body, mapped.http);
  }

  private map(exception: unknown): Mapped {
    if (isDomainError(exception)) {
      const [grpc, http] = DOMAIN[exception.kind];
      const detail: Record<string, string> = {};
      if ('field' in exception && typeof exception.field === 'string') detail.field = exception.field;
      if ('rule' in exception && typeof exception.rule === 'string') detail.rule = exception.rule;
      return { grpc, http, message: exception.message, detail };
    }
    if (exception instanceof HttpException) {
      const http = exception.getStatus();
      return { grpc: HTTP_TO_GRPC[http] ?? (http >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN), http, message: exception.message };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { grpc: GrpcStatus.INTERNAL, http: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error' };
  }
}
