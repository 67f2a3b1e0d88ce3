/**
 * A field path as a gRPC caller names it: protobuf fields are snake_case, so the camelCase
 * segments domain code uses (`completed[2].workloadId`) become `completed[2].workload_id`;
 * indexes and dots stay. HTTP callers get the path as it is (JSON names are camelCase).
 */
export const grpcFieldName = (field: string): string =>
  field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A value for a text trailer (`trainyard-field`): grpc-js takes only printable ASCII there and
 * throws on anything else, so other characters are written as `\uXXXX` (a manifest key `délai`
 * → `d\u00e9lai`). The google.rpc.Status details, binary, keep the text as it is.
 */
export const asciiTrailerValue = (text: string): string =>
  text.replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
