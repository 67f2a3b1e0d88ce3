import type { status as GrpcStatus } from '@grpc/grpc-js';

/** An error as both transports answer it: decided once by ErrorMappingFilter, rendered per transport. */
export interface MappedError {
  readonly grpc: GrpcStatus;
  readonly http: number;
  readonly message: string;
  /** `google.rpc.ErrorInfo.reason`: the rule id for a rule violation, else the kind in capitals. */
  readonly reason: string;
  /** The offending request field as domain code names it (camelCase path); the first of `violations`. */
  readonly field?: string;
  /** Every invalid field of the request (INVALID_ARGUMENT / 400), when the validator found several. */
  readonly violations?: readonly { readonly field: string; readonly message: string }[];
  /** The id of the refused business rule. */
  readonly rule?: string;
  /** The addressed thing, for NOT_FOUND and ALREADY_EXISTS. */
  readonly resource?: { readonly type: string; readonly name: string };
  /** RESOURCE_EXHAUSTED: when to retry (google.rpc.RetryInfo, HTTP Retry-After), whole seconds. */
  readonly retryAfterSeconds?: number;
  /** The problem type of a domain error (`https://trainyard.dev/problems/<slug>`) and its title. */
  readonly problem?: { readonly slug: string; readonly title: string };
}

/** `google.rpc.ErrorInfo.domain` of every Trainyard error. */
export const ERROR_DOMAIN = 'trainyard.dev';
