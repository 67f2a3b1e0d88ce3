import { Metadata } from '@grpc/grpc-js';
import fc from 'fast-check';
import { asciiTrailerValue, grpcFieldName } from './grpc-field-name';

describe('grpcFieldName', () => {
  it('names a domain field path as the protobuf request does (snake_case segments)', () => {
    expect(grpcFieldName('jobSize')).toBe('job_size');
    expect(grpcFieldName('components[0].kind')).toBe('components[0].kind');
    expect(grpcFieldName('completed[2].workloadId')).toBe('completed[2].workload_id');
    expect(grpcFieldName('libraries[1].version')).toBe('libraries[1].version');
    expect(grpcFieldName('page_size')).toBe('page_size');
  });
});

describe('asciiTrailerValue', () => {
  // A job manifest key `délai` named in trainyard-field made grpc-js throw: the call answered
  // UNKNOWN instead of INVALID_ARGUMENT (found extending the job-definition hostile-input e2e).
  it('escapes what a text trailer cannot hold, and keeps printable ASCII as it is', () => {
    expect(asciiTrailerValue('"délai"')).toBe('"d\\u00e9lai"');
    expect(asciiTrailerValue('tasks[0].depends_on[1]')).toBe('tasks[0].depends_on[1]');
    expect(asciiTrailerValue('a\u0000\n😀')).toBe('a\\u0000\\u000a\\ud83d\\ude00');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(() => new Metadata().set('trainyard-field', asciiTrailerValue(text))).not.toThrow();
      }),
    );
  });
});
