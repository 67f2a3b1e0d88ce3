/**
 * A field path as a gRPC caller names it: protobuf fields are snake_case, so the camelCase
 * segments domain code uses (`completed[2].workloadId`) become `completed[2].workload_id`;
 * indexes and dots stay. HTTP callers get the path as it is (JSON names are camelCase).
 */
export const grpcFieldName = (field: string): string =>
  field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
