import type { ServiceError } from '@grpc/grpc-js';
import { GRPC_STATUS_DETAILS_TRAILER, decodeRpcStatus } from '@trainyard/grpc-contracts';

/** One entry of a refused call's `google.rpc.BadRequest.field_violations`. */
export interface GrpcFieldViolation {
  readonly field: string;
  readonly description: string;
}

/**
 * The `google.rpc.BadRequest` field violations of an INVALID_ARGUMENT call (decoded from
 * `grpc-status-details-bin`): every invalid field the service reported, in its order.
 */
export const fieldViolationsOf = (error: ServiceError): GrpcFieldViolation[] => {
  const [bytes] = error.metadata.get(GRPC_STATUS_DETAILS_TRAILER);
  if (!Buffer.isBuffer(bytes)) throw new Error(`no ${GRPC_STATUS_DETAILS_TRAILER} trailer`);
  const badRequest = decodeRpcStatus(bytes).details.find((d) => d.type === 'google.rpc.BadRequest');
  if (badRequest === undefined) throw new Error('no google.rpc.BadRequest in the status details');
  return (badRequest.value as { fieldViolations: GrpcFieldViolation[] }).fieldViolations.map(
    ({ field, description }) => ({ field, description }),
  );
};
