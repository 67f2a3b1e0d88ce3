import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { encodeRpcStatus, GRPC_STATUS_DETAILS_TRAILER } from '@trainyard/grpc-contracts';
import { errorOf, refusal, richStatus, trailer } from './grpc-refusal';

// The e2e specs' refusal checks are only as strict as these helpers: a call that succeeds, or
// fails with something other than a gRPC status, must not pass for a refusal.
const serviceError = (
  code: status,
  trailers: Record<string, string | Buffer> = {},
): ServiceError => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(`${code}`), {
    code,
    details: 'refused',
    metadata,
  });
};

describe('gRPC refusal helpers', () => {
  it('refusal resolves the gRPC error, and throws when the call succeeded', async () => {
    const refused = serviceError(status.INVALID_ARGUMENT);
    await expect(refusal(Promise.reject(refused))).resolves.toBe(refused);
    await expect(refusal(Promise.resolve({}))).rejects.toThrow('expected the call to be refused');
  });

  it('errorOf is undefined on success and rethrows what is not a gRPC status error', async () => {
    await expect(errorOf(Promise.resolve({}))).resolves.toBeUndefined();
    const notGrpc = new Error('no method Nope');
    await expect(errorOf(Promise.reject(notGrpc))).rejects.toBe(notGrpc);
    await expect(refusal(Promise.reject(notGrpc))).rejects.toBe(notGrpc);
  });

  it('trailer reads a trailer as a string, undefined when it was not sent', () => {
    const refused = serviceError(status.INVALID_ARGUMENT, { 'trainyard-field': 'team' });
    expect(trailer(refused, 'trainyard-field')).toBe('team');
    expect(trailer(refused, 'trainyard-reason')).toBeUndefined();
  });

  it('richStatus decodes grpc-status-details-bin and throws without it', () => {
    const details = encodeRpcStatus({
      code: status.INVALID_ARGUMENT,
      message: 'refused',
      details: [
        {
          type: 'google.rpc.BadRequest',
          value: { fieldViolations: [{ field: 'team', description: 'unknown team', reason: '' }] },
        },
      ],
    });
    const decoded = richStatus(
      serviceError(status.INVALID_ARGUMENT, { [GRPC_STATUS_DETAILS_TRAILER]: details }),
    );
    expect(decoded.details).toMatchObject([
      {
        type: 'google.rpc.BadRequest',
        value: { fieldViolations: [{ field: 'team', description: 'unknown team' }] },
      },
    ]);
    expect(() => richStatus(serviceError(status.INVALID_ARGUMENT))).toThrow(
      GRPC_STATUS_DETAILS_TRAILER,
    );
  });
});
