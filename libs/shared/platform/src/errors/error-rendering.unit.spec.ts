import { status } from '@grpc/grpc-js';
import { decodeRpcStatus, encodeRpcStatus } from '@trainyard/grpc-contracts';
import type { MappedError } from './mapped-error';
import { problemOf } from './problem-details';
import { rpcStatusOf } from './rpc-status-details';

const validation: MappedError = {
  grpc: status.INVALID_ARGUMENT,
  http: 400,
  message: 'libraries[0].version: must be semver',
  reason: 'INVALID_FIELD',
  field: 'libraries[0].version',
  problem: { slug: 'validation-error', title: 'Invalid request' },
};
const rule: MappedError = {
  grpc: status.FAILED_PRECONDITION,
  http: 409,
  message: 'independent-approver: approver must not be the requester',
  reason: 'independent-approver',
  rule: 'independent-approver',
  problem: { slug: 'rule-violation', title: 'Business rule violated' },
};

describe('one mapped error, rendered per transport', () => {
  it('gRPC: a google.rpc.Status that survives the wire, with snake_case field paths', () => {
    const sent = rpcStatusOf({ ...validation, field: 'completed[2].workloadId' });
    const received = decodeRpcStatus(encodeRpcStatus(sent));
    expect(received).toEqual({
      code: status.INVALID_ARGUMENT,
      message: validation.message,
      details: [
        {
          type: 'google.rpc.ErrorInfo',
          value: {
            reason: 'INVALID_FIELD',
            domain: 'trainyard.dev',
            metadata: { field: 'completed[2].workload_id' },
          },
        },
        {
          type: 'google.rpc.BadRequest',
          value: {
            fieldViolations: [
              {
                field: 'completed[2].workload_id',
                description: validation.message,
                reason: 'INVALID_FIELD',
              },
            ],
          },
        },
      ],
    });
  });

  it('gRPC and HTTP: a request with several invalid fields carries every one of them', () => {
    const several: MappedError = {
      ...validation,
      message: '3 fields are invalid: …',
      field: 'jobSize',
      violations: [
        { field: 'jobSize', message: 'jobSize must be on the modified Fibonacci scale' },
        { field: 'components[0].name', message: 'components[0].name is required' },
        { field: 'title', message: 'title is required' },
      ],
    };
    const badRequest = decodeRpcStatus(encodeRpcStatus(rpcStatusOf(several))).details.find(
      (detail) => detail.type === 'google.rpc.BadRequest',
    );
    expect(badRequest?.value).toEqual({
      fieldViolations: [
        {
          field: 'job_size',
          description: 'jobSize must be on the modified Fibonacci scale',
          reason: 'INVALID_FIELD',
        },
        {
          field: 'components[0].name',
          description: 'components[0].name is required',
          reason: 'INVALID_FIELD',
        },
        { field: 'title', description: 'title is required', reason: 'INVALID_FIELD' },
      ],
    });
    expect(problemOf(several, '/api/x')).toMatchObject({
      field: 'jobSize',
      violations: [
        { field: 'jobSize', detail: 'jobSize must be on the modified Fibonacci scale' },
        { field: 'components[0].name', detail: 'components[0].name is required' },
        { field: 'title', detail: 'title is required' },
      ],
    });
    // One violation: the body stays as it was (`field` alone).
    expect(problemOf(validation, '/api/x')).not.toHaveProperty('violations');
  });

  it('gRPC: a rule violation names the rule as ErrorInfo reason and PreconditionFailure subject', () => {
    expect(decodeRpcStatus(encodeRpcStatus(rpcStatusOf(rule))).details).toEqual([
      {
        type: 'google.rpc.ErrorInfo',
        value: {
          reason: 'independent-approver',
          domain: 'trainyard.dev',
          metadata: { rule: 'independent-approver' },
        },
      },
      {
        type: 'google.rpc.PreconditionFailure',
        value: {
          violations: [
            { type: 'RULE', subject: 'independent-approver', description: rule.message },
          ],
        },
      },
    ]);
  });

  it('HTTP: RFC 9457 members plus field or rule, as the caller named the field', () => {
    expect(problemOf(validation, '/api/x')).toEqual({
      type: 'https://trainyard.dev/problems/validation-error',
      title: 'Invalid request',
      status: 400,
      detail: validation.message,
      instance: '/api/x',
      field: 'libraries[0].version',
    });
    expect(problemOf(rule, '/api/y')).toMatchObject({
      type: 'https://trainyard.dev/problems/rule-violation',
      status: 409,
      rule: 'independent-approver',
    });
    expect(
      problemOf(
        { grpc: status.PERMISSION_DENIED, http: 403, message: 'no', reason: 'PERMISSION_DENIED' },
        '/a',
      ),
    ).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'no',
      instance: '/a',
    });
  });
});
