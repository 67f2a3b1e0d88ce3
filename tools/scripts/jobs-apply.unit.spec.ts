import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { GRPC_STATUS_DETAILS_TRAILER, encodeRpcStatus } from '@trainyard/grpc-contracts';
import { refusalLines } from './jobs-apply';

/** A refusal as the service sends it: trailers plus the google.rpc.Status bytes. */
const refused = (
  code: status,
  details: string,
  fieldViolations: { field: string; description: string }[],
): ServiceError => {
  const metadata = new Metadata();
  if (fieldViolations[0]) metadata.set('trainyard-field', fieldViolations[0].field);
  metadata.set(
    GRPC_STATUS_DETAILS_TRAILER,
    encodeRpcStatus({
      code,
      message: details,
      details: [
        {
          type: 'google.rpc.BadRequest',
          value: {
            fieldViolations: fieldViolations.map((v) => ({ ...v, reason: 'INVALID_FIELD' })),
          },
        },
      ],
    }),
  );
  const error: ServiceError = Object.assign(new Error(details), { code, details, metadata });
  return error;
};

describe('jobs:apply refusalLines', () => {
  // The service may refuse what passed offline (its own command allowlist): every field it
  // names is printed with its path, one a line, not only the first.
  it('prints every field violation of an INVALID_ARGUMENT on its own line', () => {
    const error = refused(status.INVALID_ARGUMENT, '2 fields are invalid: …', [
      { field: 'tasks[0].executor.program', description: 'tasks[0].executor.program must …' },
      { field: 'tasks[1].executor.program', description: 'tasks[1].executor.program must …' },
    ]);
    expect(refusalLines('a.yaml', error)).toEqual([
      'a.yaml: INVALID_ARGUMENT tasks[0].executor.program: tasks[0].executor.program must …',
      'a.yaml: INVALID_ARGUMENT tasks[1].executor.program: tasks[1].executor.program must …',
    ]);
  });

  it('prints one line for a single problem, with the field the trailer names', () => {
    const error = refused(status.INVALID_ARGUMENT, 'manifest is not valid YAML', [
      { field: 'manifest', description: 'manifest is not valid YAML' },
    ]);
    expect(refusalLines('a.yaml', error)).toEqual([
      'a.yaml: INVALID_ARGUMENT manifest: manifest is not valid YAML',
    ]);
  });
});
