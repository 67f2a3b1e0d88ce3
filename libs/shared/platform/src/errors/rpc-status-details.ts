import { status as GrpcStatus } from '@grpc/grpc-js';
import type { RpcStatus, RpcStatusDetail } from '@trainyard/grpc-contracts';
import { grpcFieldName } from '../grpc-field-name';
import { ERROR_DOMAIN, type MappedError } from './mapped-error';

/**
 * The `google.rpc.Status` sent in `grpc-status-details-bin`, as AIP-193 shapes it: ErrorInfo on
 * every refusal, BadRequest naming every invalid snake_case field (each with its description) for
 * INVALID_ARGUMENT, PreconditionFailure
 * naming the rule for FAILED_PRECONDITION, ResourceInfo for NOT_FOUND and ALREADY_EXISTS.
 * Its code and message are the call's own (clients such as grpcio-status check they match).
 */
export function rpcStatusOf(error: MappedError): RpcStatus {
  const metadata: Record<string, string> = {};
  if (error.field !== undefined) metadata.field = grpcFieldName(error.field);
  if (error.rule !== undefined) metadata.rule = error.rule;
  const details: RpcStatusDetail[] = [
    {
      type: 'google.rpc.ErrorInfo',
      value: { reason: error.reason, domain: ERROR_DOMAIN, metadata },
    },
  ];
  if (error.field !== undefined) {
    const violations = error.violations ?? [{ field: error.field, message: error.message }];
    details.push({
      type: 'google.rpc.BadRequest',
      value: {
        fieldViolations: violations.map((violation) => ({
          field: grpcFieldName(violation.field),
          description: violation.message,
          reason: error.reason,
        })),
      },
    });
  }
  if (error.rule !== undefined && error.grpc === GrpcStatus.FAILED_PRECONDITION) {
    details.push({
      type: 'google.rpc.PreconditionFailure',
      value: { violations: [{ type: 'RULE', subject: error.rule, description: error.message }] },
    });
  }
  if (error.resource) {
    details.push({
      type: 'google.rpc.ResourceInfo',
      value: {
        resourceType: error.resource.type,
        resourceName: error.resource.name,
        owner: '',
        description: error.message,
      },
    });
  }
  if (error.retryAfterSeconds !== undefined) {
    details.push({
      type: 'google.rpc.RetryInfo',
      value: { retryDelay: { seconds: String(error.retryAfterSeconds), nanos: 0 } },
    });
  }
  return { code: error.grpc, message: error.message, details };
}
