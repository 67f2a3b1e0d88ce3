import { grpcFieldName } from './grpc-field-name';

describe('grpcFieldName', () => {
  it('names a domain field path as the protobuf request does (snake_case segments)', () => {
    expect(grpcFieldName('jobSize')).toBe('job_size');
    expect(grpcFieldName('components[0].kind')).toBe('components[0].kind');
    expect(grpcFieldName('completed[2].workloadId')).toBe('completed[2].workload_id');
    expect(grpcFieldName('libraries[1].version')).toBe('libraries[1].version');
    expect(grpcFieldName('page_size')).toBe('page_size');
  });
});
