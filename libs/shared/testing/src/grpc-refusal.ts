import type { ServiceError } from '@grpc/grpc-js';
import {
  GRPC_STATUS_DETAILS_TRAILER,
  decodeRpcStatus,
  type RpcStatus,
} from '@trainyard/grpc-contracts';

/**
 * The gRPC error a call failed with, or undefined when it succeeded (for calls that may do
 * either). Anything else it failed with (no such method, a throw in the client) is rethrown.
 */
export function errorOf(promise: Promise<unknown>): Promise<ServiceError | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => {
      if (isServiceError(error)) return error;
      throw error;
    },
  );
}

/** grpc-js status errors carry a numeric status code (Node's system errors a string one). */
const isServiceError = (error: unknown): error is ServiceError =>
  error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';

/** The gRPC error a call was refused with; throws when the call succeeded or failed otherwise. */
export async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await errorOf(promise);
  if (error === undefined) throw new Error('expected the call to be refused');
  return error;
}

/** A refusal's trailer (e.g. `trainyard-field`) as a string, or undefined when it was not sent. */
export function trailer(error: unknown, key: string): string | undefined {
  const value = (error as ServiceError).metadata?.get(key)[0];
  return value === undefined ? undefined : String(value);
}

/** The google.rpc.Status of a refusal (`grpc-status-details-bin`), its details decoded; throws without one. */
export function richStatus(error: ServiceError): RpcStatus {
  const [bytes] = error.metadata.get(GRPC_STATUS_DETAILS_TRAILER);
  if (!Buffer.isBuffer(bytes)) throw new Error(`no ${GRPC_STATUS_DETAILS_TRAILER} trailer`);
  return decodeRpcStatus(bytes);
}
